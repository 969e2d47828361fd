//! Signature verification for `jsonwebtoken`, on `ring`.
//!
//! `jsonwebtoken` parses tokens and checks claims; it leaves the cryptography to a provider. The
//! server already links `ring` (through rustls), so verification uses it instead of compiling a
//! second crypto library. Only public-key algorithms are provided: HMAC (`HS*`) is refused, so a
//! token signed with a public key used as an HMAC secret can never verify, and `none` is not an
//! algorithm `jsonwebtoken` parses at all. Nothing here signs.

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::jwk::{EllipticCurve, ThumbprintHash};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind, EncodingKey};
use ring::signature as sig;

/// The provider: verification only, public-key algorithms only.
pub static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: no_signer,
    verifier_factory: verifier,
    key_utils: KeyUtils {
        rsa_pub_components_from_private_key: |_| Err(unsupported()),
        rsa_pub_components_from_public_key: |_| Err(unsupported()),
        ec_pub_components_from_private_key: |_, _| Err(unsupported()),
        ed_pub_components_from_private_key: |_, _| Err(unsupported()),
        compute_digest,
    },
};

/// Makes [`PROVIDER`] the process's `jsonwebtoken` provider (once; later calls do nothing).
pub fn install() {
    // Fails only when a provider is already installed, which is as good.
    let _ = PROVIDER.install_default();
}

fn unsupported() -> Error {
    Error::from(ErrorKind::InvalidAlgorithm)
}

fn no_signer(_: &Algorithm, _: &EncodingKey) -> Result<Box<dyn JwtSigner>, Error> {
    Err(unsupported())
}

fn compute_digest(data: &[u8], hash: ThumbprintHash) -> Result<Vec<u8>, Error> {
    let algorithm = match hash {
        ThumbprintHash::SHA256 => &ring::digest::SHA256,
        ThumbprintHash::SHA384 => &ring::digest::SHA384,
        ThumbprintHash::SHA512 => &ring::digest::SHA512,
        _ => return Err(unsupported()),
    };
    Ok(ring::digest::digest(algorithm, data).as_ref().to_vec())
}

/// A verifier for `algorithm` with `key`, when the pair makes sense.
fn verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, Error> {
    let family = match algorithm {
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => AlgorithmFamily::Rsa,
        Algorithm::ES256 | Algorithm::ES384 => AlgorithmFamily::Ec,
        Algorithm::EdDSA => AlgorithmFamily::Ed,
        // HMAC (and anything newer than this code) is refused.
        _ => return Err(unsupported()),
    };
    if key.family() != family {
        return Err(Error::from(ErrorKind::InvalidKeyFormat));
    }
    Ok(Box::new(RingVerifier {
        algorithm: *algorithm,
        key: key.clone(),
    }))
}

struct RingVerifier {
    algorithm: Algorithm,
    key: DecodingKey,
}

impl jsonwebtoken::signature::Verifier<Vec<u8>> for RingVerifier {
    fn verify(
        &self,
        message: &[u8],
        signature: &Vec<u8>,
    ) -> Result<(), jsonwebtoken::signature::Error> {
        let failed = |_| jsonwebtoken::signature::Error::new();
        match (self.algorithm, self.key.kind()) {
            (algorithm, DecodingKeyKind::RsaModulusExponent { n, e }) => {
                let parameters =
                    rsa_parameters(algorithm).ok_or_else(jsonwebtoken::signature::Error::new)?;
                sig::RsaPublicKeyComponents { n, e }
                    .verify(parameters, message, signature)
                    .map_err(failed)
            }
            (algorithm, DecodingKeyKind::SecretOrDer(bytes)) => {
                let verification: &dyn sig::VerificationAlgorithm = match algorithm {
                    Algorithm::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
                    Algorithm::ES384 => &sig::ECDSA_P384_SHA384_FIXED,
                    Algorithm::EdDSA => &sig::ED25519,
                    // RSA keys from DER; JWKS keys arrive as components, but both are accepted.
                    other => {
                        rsa_parameters(other).ok_or_else(jsonwebtoken::signature::Error::new)?
                    }
                };
                sig::UnparsedPublicKey::new(verification, bytes)
                    .verify(message, signature)
                    .map_err(failed)
            }
        }
    }
}

impl JwtVerifier for RingVerifier {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

/// `ring`'s RSA parameters for a JWS algorithm; keys under 2048 bits are refused by all of them.
fn rsa_parameters(algorithm: Algorithm) -> Option<&'static sig::RsaParameters> {
    Some(match algorithm {
        Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

/// The algorithms a key from a JWKS may verify: the one it names, or those of its type.
pub fn algorithms_for(jwk: &jsonwebtoken::jwk::Jwk) -> Vec<Algorithm> {
    use jsonwebtoken::jwk::{AlgorithmParameters, KeyAlgorithm};
    if let Some(named) = jwk.common.key_algorithm {
        let algorithm = match named {
            KeyAlgorithm::RS256 => Algorithm::RS256,
            KeyAlgorithm::RS384 => Algorithm::RS384,
            KeyAlgorithm::RS512 => Algorithm::RS512,
            KeyAlgorithm::PS256 => Algorithm::PS256,
            KeyAlgorithm::PS384 => Algorithm::PS384,
            KeyAlgorithm::PS512 => Algorithm::PS512,
            KeyAlgorithm::ES256 => Algorithm::ES256,
            KeyAlgorithm::ES384 => Algorithm::ES384,
            KeyAlgorithm::EdDSA => Algorithm::EdDSA,
            // HMAC secrets and encryption keys never verify access tokens here.
            _ => return Vec::new(),
        };
        return vec![algorithm];
    }
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => vec![
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
        ],
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => vec![Algorithm::ES256],
            EllipticCurve::P384 => vec![Algorithm::ES384],
            _ => Vec::new(),
        },
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            vec![Algorithm::EdDSA]
        }
        _ => Vec::new(),
    }
}
