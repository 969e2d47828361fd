//! RESP2, the Redis wire protocol, as far as the token store needs it: commands out as arrays of
//! bulk strings (binary-safe), replies in. Our own rather than a Redis crate's because the
//! token store uses seven commands, and a full client would add dozens of crates to every
//! generated server.

use tokio::io::{AsyncRead, AsyncReadExt};

/// Redis refuses longer bulk strings by default (`proto-max-bulk-len`); a reply claiming more
/// is no Redis.
const MAX_BULK: usize = 512 * 1024 * 1024;
/// A status or error line is short; a peer sending kilobytes without a line end is no Redis.
const MAX_LINE: usize = 64 * 1024;
/// None of our commands gets an array back; a little nesting is tolerated, no more.
const MAX_DEPTH: usize = 4;

#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    Status(String),
    /// `-ERR …`: the server refused the command, and the connection is still in step.
    Error(String),
    Integer(i64),
    /// `None`: the nil bulk string (`$-1`), the absent key.
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

/// The command `args` as RESP: an array of bulk strings.
pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let size: usize = args.iter().map(|a| a.len() + 16).sum();
    let mut out = Vec::with_capacity(size + 16);
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The first reply in `buf` and the bytes it took, or `None` while it is incomplete. An error is
/// a protocol violation: the connection must be dropped.
pub fn parse(buf: &[u8]) -> Result<Option<(Reply, usize)>, String> {
    parse_at(buf, 0, 0)
}

/// Reads one reply from `io`, keeping in `buf` what arrived beyond it.
pub async fn read_reply(
    io: &mut (impl AsyncRead + Unpin),
    buf: &mut Vec<u8>,
) -> Result<Reply, ReadError> {
    loop {
        if let Some((reply, used)) = parse(buf).map_err(ReadError::Protocol)? {
            buf.drain(..used);
            return Ok(reply);
        }
        let mut chunk = [0u8; 8192];
        let n = io.read(&mut chunk).await.map_err(ReadError::Io)?;
        if n == 0 {
            return Err(ReadError::Closed);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// The server closed the connection.
    Closed,
    Protocol(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(err) => write!(f, "{err}"),
            ReadError::Closed => f.write_str("the server closed the connection"),
            ReadError::Protocol(err) => write!(f, "not the Redis protocol: {err}"),
        }
    }
}

fn parse_at(buf: &[u8], at: usize, depth: usize) -> Result<Option<(Reply, usize)>, String> {
    let Some(&kind) = buf.get(at) else {
        return Ok(None);
    };
    let Some((line, next)) = line(buf, at + 1)? else {
        return Ok(None);
    };
    let text = || String::from_utf8_lossy(line).into_owned();
    match kind {
        b'+' => Ok(Some((Reply::Status(text()), next))),
        b'-' => Ok(Some((Reply::Error(text()), next))),
        b':' => Ok(Some((Reply::Integer(number(line)?), next))),
        b'$' => {
            let Some(len) = length(line, MAX_BULK)? else {
                return Ok(Some((Reply::Bulk(None), next)));
            };
            let end = next + len;
            if buf.len() < end + 2 {
                return Ok(None);
            }
            if &buf[end..end + 2] != b"\r\n" {
                return Err("a bulk string longer than announced".into());
            }
            Ok(Some((Reply::Bulk(Some(buf[next..end].to_vec())), end + 2)))
        }
        b'*' => {
            if depth >= MAX_DEPTH {
                return Err("arrays nested too deep".into());
            }
            let Some(count) = length(line, MAX_BULK)? else {
                return Ok(Some((Reply::Array(None), next)));
            };
            let mut items = Vec::new();
            let mut pos = next;
            for _ in 0..count {
                let Some((item, after)) = parse_at(buf, pos, depth + 1)? else {
                    return Ok(None);
                };
                items.push(item);
                pos = after;
            }
            Ok(Some((Reply::Array(Some(items)), pos)))
        }
        other => Err(format!("a reply starting with byte {other:#04x}")),
    }
}

/// The line starting at `at`, without its CRLF, and where the next begins.
fn line(buf: &[u8], at: usize) -> Result<Option<(&[u8], usize)>, String> {
    let rest = &buf[at.min(buf.len())..];
    match rest.windows(2).position(|w| w == b"\r\n") {
        Some(end) => Ok(Some((&rest[..end], at + end + 2))),
        None if rest.len() > MAX_LINE => Err("a line without an end".into()),
        None => Ok(None),
    }
}

fn number(line: &[u8]) -> Result<i64, String> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "a malformed number".to_string())
}

/// A bulk or array length: `None` for -1 (nil).
fn length(line: &[u8], max: usize) -> Result<Option<usize>, String> {
    match number(line)? {
        -1 => Ok(None),
        n => usize::try_from(n)
            .ok()
            .filter(|&n| n <= max)
            .map(Some)
            .ok_or_else(|| format!("a length of {n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        assert_eq!(
            encode(&[b"SET", b"k", b"a\r\nb\0"]),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nb\0\r\n"
        );
        assert_eq!(encode(&[b"GET", b""]), b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
    }

    #[test]
    fn replies() {
        let one = |bytes: &[u8]| parse(bytes).unwrap().unwrap();
        assert_eq!(one(b"+OK\r\n"), (Reply::Status("OK".into()), 5));
        assert_eq!(
            one(b"-ERR unknown command\r\n"),
            (Reply::Error("ERR unknown command".into()), 22)
        );
        assert_eq!(one(b":42\r\n"), (Reply::Integer(42), 5));
        assert_eq!(one(b":-3\r\n"), (Reply::Integer(-3), 5));
        assert_eq!(one(b"$-1\r\n"), (Reply::Bulk(None), 5));
        assert_eq!(one(b"$0\r\n\r\n"), (Reply::Bulk(Some(vec![])), 6));
        // A value holding CRLF is read by its length, not up to the first line end.
        assert_eq!(
            one(b"$4\r\n\r\n\r\n\r\n+OK\r\n"),
            (Reply::Bulk(Some(b"\r\n\r\n".to_vec())), 10)
        );
        assert_eq!(
            one(b"*2\r\n:1\r\n$1\r\nx\r\n"),
            (
                Reply::Array(Some(vec![
                    Reply::Integer(1),
                    Reply::Bulk(Some(b"x".to_vec()))
                ])),
                15
            )
        );
        assert_eq!(one(b"*-1\r\n"), (Reply::Array(None), 5));
    }

    #[test]
    fn a_partial_reply_waits_for_more_at_every_cut() {
        let whole: &[u8] = b"*3\r\n$5\r\nhello\r\n$-1\r\n-ERR no\r\n";
        for cut in 0..whole.len() {
            assert_eq!(parse(&whole[..cut]).unwrap(), None, "cut at {cut}");
        }
        assert_eq!(parse(whole).unwrap().unwrap().1, whole.len());
    }

    #[test]
    fn protocol_violations() {
        for bad in [
            &b"?x\r\n"[..],
            b":x\r\n",
            b"$-2\r\n",
            b"$3\r\nabcd\r\n",
            b"$99999999999\r\n",
            b"*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert!(parse(&[b'+'; MAX_LINE + 10]).is_err());
    }

    #[tokio::test]
    async fn reading_across_partial_reads_keeps_the_rest() {
        // The reader hands out a few bytes at a time, as a slow network would.
        let (mut client, mut server) = tokio::io::duplex(3);
        let writer = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            server.write_all(b"$6\r\nfoobar\r\n:7\r\n").await.unwrap();
        });
        let mut buf = Vec::new();
        let first = read_reply(&mut client, &mut buf).await.unwrap();
        assert_eq!(first, Reply::Bulk(Some(b"foobar".to_vec())));
        assert_eq!(
            read_reply(&mut client, &mut buf).await.unwrap(),
            Reply::Integer(7)
        );
        writer.await.unwrap();
        drop(client);
        let (mut closed, server) = tokio::io::duplex(8);
        drop(server);
        assert!(matches!(
            read_reply(&mut closed, &mut Vec::new()).await,
            Err(ReadError::Closed)
        ));
    }
}
