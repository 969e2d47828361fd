//! End-to-end tests of the runtime as a generated server uses it: a hand-written `ApiDef` whose
//! tools build requests the way generated code does, a real upstream HTTP server that records what
//! it receives, and the real MCP server driven with raw JSON-RPC over streamable HTTP (and stdio).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mcpwright_runtime::config::{Config, HttpConfig, UpstreamConfig};
use mcpwright_runtime::server::McpServer;
use mcpwright_runtime::upstream::Upstream;
use mcpwright_runtime::{
    Annotations, ApiDef, ArgError, JsonObject, Method, OutputShape, QueryStyle, Request,
    ResourceDef, Schema, ToolDef, UriVariable, ValueKind, cli,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

// ---------------------------------------------------------------------------------------------
// The API, written the way mcpwright generates it.

const READ: Annotations = Annotations {
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: true,
};
const WRITE: Annotations = Annotations {
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
};

#[derive(Deserialize)]
struct GetPetArgs {
    #[serde(rename = "petId")]
    pet_id: String,
    include: Option<Vec<String>>,
    #[serde(rename = "X-Trace")]
    trace: Option<String>,
}

fn build_get_pet(args: JsonObject) -> Result<Request, ArgError> {
    let args: GetPetArgs = mcpwright_runtime::args::parse(args)?;
    let mut req = Request::new(Method::Get, "/pets/{petId}");
    req.path("petId", &args.pet_id)?;
    req.query("include", &args.include)?;
    req.header("X-Trace", &args.trace, false)?;
    req.finish()
}

static GET_PET: ToolDef = ToolDef {
    name: "getPet",
    title: Some("Get a pet"),
    description: "Returns one pet.",
    method: Method::Get,
    path: "/pets/{petId}",
    input_schema: Schema::standalone(
        r#"{"type":"object","properties":{"petId":{"type":"string","description":"The pet's id."},"include":{"type":"array","items":{"type":"string"}},"X-Trace":{"type":"string"}},"required":["petId"]}"#,
    ),
    output_schema: Some(Schema::standalone(
        r#"{"type":"object","properties":{"id":{"type":"string"},"name":{"type":"string"}},"required":["id"]}"#,
    )),
    output: OutputShape::Object,
    annotations: READ,
    accept: Some("application/json"),
    scopes: &[],
    security: &[],
    build: build_get_pet,
};

#[derive(Deserialize)]
struct CreatePetArgs {
    body: NewPet,
}

#[derive(Deserialize, serde::Serialize)]
struct NewPet {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
}

fn build_create_pet(args: JsonObject) -> Result<Request, ArgError> {
    let args: CreatePetArgs = mcpwright_runtime::args::parse(args)?;
    let mut req = Request::new(Method::Post, "/pets");
    req.json("application/json", "body", &args.body)?;
    req.finish()
}

static CREATE_PET: ToolDef = ToolDef {
    name: "createPet",
    title: None,
    description: "Creates a pet.",
    method: Method::Post,
    path: "/pets",
    input_schema: Schema::standalone(
        r#"{"type":"object","properties":{"body":{"type":"object","properties":{"name":{"type":"string","minLength":1},"tag":{"type":"string"}},"required":["name"]}},"required":["body"]}"#,
    ),
    output_schema: None,
    output: OutputShape::Object,
    annotations: WRITE,
    accept: Some("application/json"),
    scopes: &[],
    security: &[],
    build: build_create_pet,
};

#[derive(Deserialize)]
struct ListPetsArgs {
    limit: Option<i64>,
    tags: Option<Vec<String>>,
}

fn build_list_pets(args: JsonObject) -> Result<Request, ArgError> {
    let args: ListPetsArgs = mcpwright_runtime::args::parse(args)?;
    let mut req = Request::new(Method::Get, "/pets");
    req.query("limit", &args.limit)?;
    req.query_with("tags", &args.tags, QueryStyle::PipeDelimited, false, false)?;
    req.finish()
}

static LIST_PETS: ToolDef = ToolDef {
    name: "listPets",
    title: Some("List pets"),
    description: "Lists pets.",
    method: Method::Get,
    path: "/pets",
    input_schema: Schema::standalone(
        r#"{"type":"object","properties":{"limit":{"type":"integer","minimum":1,"maximum":100},"tags":{"type":"array","items":{"type":"string"}}}}"#,
    ),
    output_schema: Some(Schema::standalone(
        r#"{"type":"object","properties":{"result":{"type":"array","items":{"type":"object","properties":{"id":{"type":"string"}}}}},"required":["result"]}"#,
    )),
    output: OutputShape::Wrapped,
    annotations: READ,
    accept: Some("application/json"),
    scopes: &[],
    security: &[],
    build: build_list_pets,
};

#[derive(Deserialize)]
struct GetOwnerArgs {
    id: i64,
}

fn build_get_owner(args: JsonObject) -> Result<Request, ArgError> {
    let args: GetOwnerArgs = mcpwright_runtime::args::parse(args)?;
    let mut req = Request::new(Method::Get, "/owners/{id}");
    req.path("id", &args.id)?;
    req.finish()
}

static GET_OWNER: ToolDef = ToolDef {
    name: "getOwner",
    title: None,
    description: "Returns an owner (the upstream has none).",
    method: Method::Get,
    path: "/owners/{id}",
    input_schema: Schema::standalone(
        r#"{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}"#,
    ),
    output_schema: None,
    output: OutputShape::Object,
    annotations: READ,
    accept: None,
    scopes: &[],
    security: &[],
    build: build_get_owner,
};

fn build_slow(_: JsonObject) -> Result<Request, ArgError> {
    Request::new(Method::Get, "/slow").finish()
}

static SLOW: ToolDef = ToolDef {
    name: "slow",
    title: None,
    description: "Answers after three seconds.",
    method: Method::Get,
    path: "/slow",
    input_schema: Schema::standalone(r#"{"type":"object"}"#),
    output_schema: None,
    output: OutputShape::Object,
    annotations: READ,
    accept: None,
    scopes: &[],
    security: &[],
    build: build_slow,
};

fn build_redirect(_: JsonObject) -> Result<Request, ArgError> {
    Request::new(Method::Get, "/redirect").finish()
}

static REDIRECT: ToolDef = ToolDef {
    name: "redirect",
    title: None,
    description: "The upstream redirects elsewhere.",
    method: Method::Get,
    path: "/redirect",
    input_schema: Schema::standalone(r#"{"type":"object"}"#),
    output_schema: None,
    output: OutputShape::Object,
    annotations: READ,
    accept: None,
    scopes: &[],
    security: &[],
    build: build_redirect,
};

fn build_panics(_: JsonObject) -> Result<Request, ArgError> {
    panic!("a bug in generated code")
}

static PANICS: ToolDef = ToolDef {
    name: "panics",
    title: None,
    description: "Its build function panics.",
    method: Method::Get,
    path: "/never",
    input_schema: Schema::standalone(r#"{"type":"object"}"#),
    output_schema: None,
    output: OutputShape::Object,
    annotations: READ,
    accept: None,
    scopes: &[],
    security: &[],
    build: build_panics,
};

static API: ApiDef = ApiDef {
    name: "petstore-mcp",
    version: "0.1.0",
    title: "Petstore",
    api_version: "1.0.0",
    instructions: Some("Manage pets."),
    default_upstream_url: None,
    scopes_supported: &[],
    scope_implies: &[],
    default_issuer: None,
    schemes: &[],
    hooks: &mcpwright_runtime::hooks::NoHooks,
    default_tool_mode: mcpwright_runtime::api::ToolMode::Auto,
    search_index: "",
    tools: &[
        &GET_PET,
        &CREATE_PET,
        &LIST_PETS,
        &GET_OWNER,
        &SLOW,
        &REDIRECT,
        &PANICS,
    ],
    resources: &RESOURCES,
};

/// Two reads offered as resources, as `src/resources.rs` declares them.
static RESOURCES: [ResourceDef; 2] = [
    ResourceDef {
        uri_template: "pets://pets/{petId}{?include}",
        tool: &GET_PET,
        variables: &[
            UriVariable {
                name: "petId",
                argument: "petId",
                kind: ValueKind::String,
                list: false,
                completions: &["1", "2", "42"],
            },
            UriVariable {
                name: "include",
                argument: "include",
                kind: ValueKind::String,
                list: true,
                completions: &[],
            },
        ],
        mime_type: Some("application/json"),
    },
    ResourceDef {
        uri_template: "pets://owners/{id}",
        tool: &GET_OWNER,
        variables: &[UriVariable {
            name: "id",
            argument: "id",
            kind: ValueKind::Integer,
            list: false,
            completions: &[],
        }],
        mime_type: None,
    },
];

// ---------------------------------------------------------------------------------------------
// A real upstream that records what it receives.

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// Path and query exactly as they arrived.
    target: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

impl Recorder {
    fn all(&self) -> Vec<Seen> {
        self.0.lock().unwrap().clone()
    }
}

async fn upstream_handler(
    State(recorder): State<Recorder>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default()
        .to_vec();
    let target = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_default();
    recorder.0.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        target: target.clone(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    let path = parts.uri.path();
    let json = |status: StatusCode, value: Value| {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
            .into_response()
    };
    match (parts.method.as_str(), path) {
        ("GET", "/v1/pets") => json(
            StatusCode::OK,
            json!([{"id": "1", "name": "rex"}, {"id": "2", "name": "tom"}]),
        ),
        ("POST", "/v1/pets") => {
            let mut pet: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            pet["id"] = json!("3");
            json(StatusCode::CREATED, pet)
        }
        ("GET", "/v1/slow") => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json(StatusCode::OK, json!({}))
        }
        ("GET", "/v1/big") => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            "x".repeat(100_000),
        )
            .into_response(),
        ("GET", "/v1/redirect") => (
            StatusCode::FOUND,
            [(header::LOCATION, "http://127.0.0.1:1/elsewhere")],
        )
            .into_response(),
        ("GET", p) if p.starts_with("/v1/pets/") => json(
            StatusCode::OK,
            json!({"id": p.trim_start_matches("/v1/pets/"), "name": "rex"}),
        ),
        _ => json(StatusCode::NOT_FOUND, json!({"error": "no such thing"})),
    }
}

async fn start_upstream() -> (String, Recorder) {
    let recorder = Recorder::default();
    let app = axum::Router::new()
        .fallback(upstream_handler)
        .with_state(recorder.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), recorder)
}

// ---------------------------------------------------------------------------------------------
// The MCP server under test, in-process on a real socket.

struct Options {
    stateless: bool,
    timeout: Duration,
    max_response_bytes: usize,
    allowed_origins: Vec<String>,
    max_concurrent: usize,
    max_request_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            stateless: false,
            timeout: Duration::from_secs(10),
            max_response_bytes: 1 << 20,
            allowed_origins: Vec::new(),
            max_concurrent: 64,
            max_request_bytes: 4 << 20,
        }
    }
}

struct Running {
    url: String,
    shutdown: CancellationToken,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn start_server(upstream_url: &str, options: Options) -> Running {
    let upstream = Upstream::new(
        &API,
        &UpstreamConfig {
            base_url: upstream_url.to_owned(),
            timeout: options.timeout,
            max_response_bytes: options.max_response_bytes,
            max_concurrent: options.max_concurrent,
        },
    )
    .unwrap();
    let server = McpServer::new(&API, upstream);
    let config = HttpConfig {
        bind: "127.0.0.1:0".into(),
        stateless: options.stateless,
        allowed_hosts: vec!["localhost".into(), "127.0.0.1".into()],
        allowed_origins: options.allowed_origins,
        max_request_bytes: options.max_request_bytes,
    };
    let shutdown = CancellationToken::new();
    let listener = TcpListener::bind(&config.bind).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let guard =
        std::sync::Arc::new(mcpwright_runtime::http::guard_for(&API, &config, None, addr).unwrap());
    let app = mcpwright_runtime::http::router(server, &config, guard, shutdown.child_token());
    tokio::spawn(mcpwright_runtime::http::serve_listener(
        listener,
        app,
        shutdown.clone(),
    ));
    Running {
        url: format!("http://{addr}"),
        shutdown,
    }
}

// ---------------------------------------------------------------------------------------------
// A minimal MCP client: raw JSON-RPC over streamable HTTP.

struct Client {
    http: reqwest::Client,
    url: String,
    session: Option<String>,
    next_id: u64,
}

impl Client {
    fn new(server: &Running) -> Self {
        // reqwest is built without a default TLS provider; the runtime installs ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Client {
            http: reqwest::Client::new(),
            url: format!("{}/mcp", server.url),
            session: None,
            next_id: 1,
        }
    }

    fn post(&self, message: &Value) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .timeout(Duration::from_secs(20))
            .body(message.to_string());
        if let Some(session) = &self.session {
            req = req
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", "2025-11-25");
        }
        req
    }

    /// Sends a request and returns the JSON-RPC response message (`result` or `error`).
    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let response = self.post(&message).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{method}");
        if let Some(session) = response.headers().get("mcp-session-id") {
            self.session = Some(session.to_str().unwrap().to_owned());
        }
        let is_sse = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/event-stream"));
        let text = response.text().await.unwrap();
        if !is_sse {
            return serde_json::from_str(&text).unwrap();
        }
        text.lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(|message| message["id"] == json!(id))
            .unwrap_or_else(|| panic!("no response to {method} in {text}"))
    }

    async fn notify(&mut self, method: &str) {
        let message = json!({"jsonrpc": "2.0", "method": method});
        let response = self.post(&message).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED, "{method}");
    }

    async fn initialize(&mut self) -> Value {
        let response = self
            .request(
                "initialize",
                json!({
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "test-client", "version": "1.0"}
                }),
            )
            .await;
        self.notify("notifications/initialized").await;
        response
    }

    /// `tools/call`; returns the `CallToolResult` (panics on a JSON-RPC error).
    async fn call(&mut self, name: &str, arguments: Value) -> Value {
        let response = self
            .request("tools/call", json!({"name": name, "arguments": arguments}))
            .await;
        assert!(response.get("error").is_none(), "{response}");
        response["result"].clone()
    }
}

fn text_of(result: &Value) -> String {
    result["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn sessions_list_tools_and_call_them() {
    let (upstream_url, recorder) = start_upstream().await;
    let server = start_server(&upstream_url, Options::default()).await;
    let mut client = Client::new(&server);

    let init = client.initialize().await;
    assert!(client.session.is_some(), "a session id was issued");
    assert_eq!(init["result"]["serverInfo"]["name"], "petstore-mcp");
    assert_eq!(init["result"]["serverInfo"]["version"], "0.1.0");
    assert_eq!(init["result"]["serverInfo"]["title"], "Petstore");
    assert_eq!(init["result"]["instructions"], "Manage pets.");
    assert!(init["result"]["capabilities"]["tools"].is_object());
    // Without OAuth there is no client-credentials extension to offer.
    assert!(init["result"]["capabilities"]["extensions"].is_null());

    let list = client.request("tools/list", json!({})).await;
    // The same list for everyone: anyone may cache it, for an hour (SEP-2549).
    assert_eq!(list["result"]["cacheScope"], "public");
    assert_eq!(list["result"]["ttlMs"], 3_600_000);
    let tools = list["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "getPet",
            "createPet",
            "listPets",
            "getOwner",
            "slow",
            "redirect",
            "panics"
        ]
    );
    let get_pet = &tools[0];
    assert_eq!(get_pet["title"], "Get a pet");
    assert_eq!(get_pet["description"], "Returns one pet.");
    assert_eq!(
        get_pet["inputSchema"]["properties"]["petId"]["description"],
        "The pet's id."
    );
    assert_eq!(get_pet["inputSchema"]["required"], json!(["petId"]));
    assert_eq!(get_pet["outputSchema"]["required"], json!(["id"]));
    assert_eq!(get_pet["annotations"]["readOnlyHint"], true);
    assert_eq!(get_pet["annotations"]["openWorldHint"], true);
    assert_eq!(tools[1]["annotations"]["readOnlyHint"], false);
    assert!(tools[1].get("outputSchema").is_none());
    // The generator's property order survives.
    let props: Vec<&String> = get_pet["inputSchema"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(props, ["petId", "include", "X-Trace"]);

    // GET with a path parameter that needs encoding, an exploded query array and a header.
    let result = client
        .call(
            "getPet",
            json!({"petId": "a b/../c", "include": ["owner", "tags"], "X-Trace": "t-1"}),
        )
        .await;
    assert_eq!(result["isError"], false, "{result}");
    assert_eq!(
        result["structuredContent"],
        json!({"id": "a%20b%2F..%2Fc", "name": "rex"})
    );
    let seen = recorder.all();
    let last = seen.last().unwrap();
    assert_eq!(last.method, "GET");
    assert_eq!(
        last.target,
        "/v1/pets/a%20b%2F..%2Fc?include=owner&include=tags"
    );
    assert_eq!(last.headers["x-trace"], "t-1");
    assert_eq!(last.headers["accept"], "application/json");
    assert_eq!(last.headers["user-agent"], "petstore-mcp/0.1.0 (mcpwright)");

    // POST with a JSON body.
    let result = client
        .call("createPet", json!({"body": {"name": "rex", "tag": "dog"}}))
        .await;
    assert_eq!(result["isError"], false, "{result}");
    assert_eq!(
        result["structuredContent"],
        json!({"name": "rex", "tag": "dog", "id": "3"})
    );
    let last = recorder.all().pop().unwrap();
    assert_eq!(
        (last.method.as_str(), last.target.as_str()),
        ("POST", "/v1/pets")
    );
    assert_eq!(last.headers["content-type"], "application/json");
    assert_eq!(
        serde_json::from_slice::<Value>(&last.body).unwrap(),
        json!({"name": "rex", "tag": "dog"})
    );

    // An array body is wrapped under `result`.
    let result = client
        .call("listPets", json!({"limit": 2, "tags": ["a", "b"]}))
        .await;
    assert_eq!(result["isError"], false, "{result}");
    assert_eq!(result["structuredContent"]["result"][1]["name"], "tom");
    assert_eq!(
        recorder.all().pop().unwrap().target,
        "/v1/pets?limit=2&tags=a%7Cb"
    );

    // An upstream 404 is a tool error with the status and the body.
    let result = client.call("getOwner", json!({"id": 42})).await;
    assert_eq!(result["isError"], true);
    let text = text_of(&result);
    assert!(
        text.starts_with("HTTP 404 Not Found from GET /owners/{id}"),
        "{text}"
    );
    assert!(text.contains("no such thing"), "{text}");
    assert_eq!(recorder.all().pop().unwrap().target, "/v1/owners/42");

    // Invalid arguments never reach the upstream.
    let before = recorder.all().len();
    let result = client.call("listPets", json!({"limit": "ten"})).await;
    assert_eq!(result["isError"], true);
    assert!(
        text_of(&result).starts_with("invalid argument `limit`: "),
        "{}",
        text_of(&result)
    );
    // Only the schema knows this one: the typed struct would accept 500.
    let result = client.call("listPets", json!({"limit": 500})).await;
    assert_eq!(result["isError"], true);
    assert!(
        text_of(&result).starts_with("invalid argument `limit`: 500 is greater than the maximum"),
        "{}",
        text_of(&result)
    );
    let result = client
        .call("createPet", json!({"body": {"tag": "dog"}}))
        .await;
    assert_eq!(
        text_of(&result),
        "invalid argument `body/name`: is required"
    );
    let result = client.call("getPet", json!({"petId": ".."})).await;
    assert_eq!(result["isError"], true);
    assert!(text_of(&result).contains("`petId`"), "{}", text_of(&result));
    assert_eq!(
        recorder.all().len(),
        before,
        "no upstream request for invalid arguments"
    );

    // An unknown tool is a protocol error.
    let response = client
        .request("tools/call", json!({"name": "nope", "arguments": {}}))
        .await;
    assert_eq!(response["error"]["code"], -32602, "{response}");

    // Redirects are reported, not followed.
    let result = client.call("redirect", json!({})).await;
    assert_eq!(result["isError"], true);
    assert!(
        text_of(&result).contains("HTTP 302 Found"),
        "{}",
        text_of(&result)
    );

    // A panicking tool is an error result; the session survives it.
    let result = client.call("panics", json!({})).await;
    assert_eq!(result["isError"], true);
    assert!(
        text_of(&result).contains("internal error"),
        "{}",
        text_of(&result)
    );
    let result = client.call("listPets", json!({})).await;
    assert_eq!(result["isError"], false);
}

#[tokio::test]
async fn resources_are_read_through_their_operation() {
    let (upstream_url, recorder) = start_upstream().await;
    let server = start_server(&upstream_url, Options::default()).await;
    let mut client = Client::new(&server);
    let init = client.initialize().await;
    let capabilities = &init["result"]["capabilities"];
    assert!(capabilities["resources"].is_object(), "{init}");
    assert!(capabilities["resources"].get("subscribe").is_none());
    assert!(capabilities["completions"].is_object(), "{init}");

    let listed = client.request("resources/list", json!({})).await;
    assert_eq!(listed["result"]["resources"], json!([]), "{listed}");
    assert_eq!(listed["result"]["cacheScope"], "public");
    let templates = client.request("resources/templates/list", json!({})).await;
    let templates = &templates["result"]["resourceTemplates"];
    assert_eq!(templates[0]["uriTemplate"], "pets://pets/{petId}{?include}");
    assert_eq!(templates[0]["name"], "getPet");
    assert_eq!(templates[0]["title"], "Get a pet");
    assert_eq!(templates[0]["mimeType"], "application/json");
    assert_eq!(templates[1]["uriTemplate"], "pets://owners/{id}");

    // The URI's variables are the tool's arguments; the request is the tool call's.
    let read = client
        .request(
            "resources/read",
            json!({"uri": "pets://pets/7?include=tags,owner"}),
        )
        .await;
    let contents = &read["result"]["contents"][0];
    assert_eq!(
        contents["uri"], "pets://pets/7?include=tags,owner",
        "{read}"
    );
    assert_eq!(contents["mimeType"], "application/json");
    let pet: Value = serde_json::from_str(contents["text"].as_str().unwrap()).unwrap();
    assert_eq!(pet["id"], "7");
    assert_eq!(read["result"]["ttlMs"], 0);
    let seen = recorder.all();
    assert!(
        seen[0].target.starts_with("/v1/pets/7?include=tags"),
        "{}",
        seen[0].target
    );

    // The upstream's 404 is the resource's: not found, with the URI.
    let missing = client
        .request("resources/read", json!({"uri": "pets://owners/1"}))
        .await;
    assert_eq!(missing["error"]["code"], -32002, "{missing}");
    assert_eq!(missing["error"]["data"]["uri"], "pets://owners/1");
    // A variable that is not its argument's type: invalid params naming it, nothing sent.
    let sent = recorder.all().len();
    let bad = client
        .request("resources/read", json!({"uri": "pets://owners/one"}))
        .await;
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    assert!(
        bad["error"]["message"].as_str().unwrap().contains("id"),
        "{bad}"
    );
    // A URI no template matches.
    let unknown = client
        .request("resources/read", json!({"uri": "pets://vets/1"}))
        .await;
    assert_eq!(unknown["error"]["code"], -32002, "{unknown}");
    assert_eq!(recorder.all().len(), sent);

    let offered = client
        .request(
            "completion/complete",
            json!({
                "ref": {"type": "ref/resource", "uri": "pets://pets/{petId}{?include}"},
                "argument": {"name": "petId", "value": "4"}
            }),
        )
        .await;
    assert_eq!(
        offered["result"]["completion"]["values"],
        json!(["42"]),
        "{offered}"
    );
    let prompt = client
        .request(
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "any"}, "argument": {"name": "a", "value": ""}}),
        )
        .await;
    assert_eq!(
        prompt["result"]["completion"]["values"],
        json!([]),
        "{prompt}"
    );
}

#[tokio::test]
async fn stateless_mode_needs_no_session() {
    let (upstream_url, recorder) = start_upstream().await;
    let server = start_server(
        &upstream_url,
        Options {
            stateless: true,
            ..Options::default()
        },
    )
    .await;
    let mut client = Client::new(&server);
    let init = client.initialize().await;
    assert_eq!(init["result"]["serverInfo"]["name"], "petstore-mcp");
    assert!(
        client.session.is_none(),
        "stateless mode issues no session id"
    );

    // A fresh client that never initialized can call tools: any replica can serve any request.
    let other = Client::new(&server);
    let response = other
        .post(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "getPet", "arguments": {"petId": "7"}}}))
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let response: Value = response.json_text().await;
    assert_eq!(
        response["result"]["structuredContent"],
        json!({"id": "7", "name": "rex"})
    );
    assert_eq!(recorder.all().pop().unwrap().target, "/v1/pets/7");

    let list = client.request("tools/list", json!({})).await;
    assert_eq!(
        list["result"]["tools"].as_array().unwrap().len(),
        API.tools.len()
    );
}

/// The messages of a `tools/call` sent on the 2026-07-28 wire (no `initialize`, the client's
/// context in `_meta`), with `meta` added to that `_meta`: the notifications and the answer.
async fn call_2026(server: &Running, name: &str, meta: Value) -> Vec<Value> {
    let mut request_meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "test-client", "version": "1.0"},
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    request_meta
        .as_object_mut()
        .unwrap()
        .extend(meta.as_object().unwrap().clone());
    let message = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": name, "arguments": {"petId": "1"}, "_meta": request_meta}});
    let response = Client::new(server)
        .post(&message)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", name)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let messages: Vec<Value> = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str(data.trim()).ok())
        .collect();
    if messages.is_empty() {
        vec![serde_json::from_str(&text).unwrap()]
    } else {
        messages
    }
}

#[tokio::test]
async fn on_the_2026_wire_a_request_gets_log_notifications_only_when_it_asks() {
    // A failed call is logged at warning, the default threshold of a session; on the
    // 2026-07-28 wire there are no sessions, and a request that does not set
    // `io.modelcontextprotocol/logLevel` must get no `notifications/message` (SEP-2575).
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let closed = socket.local_addr().unwrap();
    for stateless in [false, true] {
        let server = start_server(
            &format!("http://{closed}"),
            Options {
                stateless,
                ..Options::default()
            },
        )
        .await;
        let unasked = call_2026(&server, "getPet", json!({})).await;
        assert_eq!(unasked.len(), 1, "stateless {stateless}: {unasked:?}");
        assert_eq!(unasked[0]["result"]["isError"], true, "{unasked:?}");

        let asked = call_2026(
            &server,
            "getPet",
            json!({"io.modelcontextprotocol/logLevel": "warning"}),
        )
        .await;
        let logs: Vec<&Value> = asked
            .iter()
            .filter(|m| m["method"] == "notifications/message")
            .collect();
        assert_eq!(logs.len(), 1, "stateless {stateless}: {asked:?}");
        assert_eq!(logs[0]["params"]["level"], "warning");
        assert_eq!(logs[0]["params"]["data"]["tool"], "getPet");
        assert_eq!(asked.last().unwrap()["result"]["isError"], true);

        // Above the call's level: nothing.
        let quiet = call_2026(
            &server,
            "getPet",
            json!({"io.modelcontextprotocol/logLevel": "error"}),
        )
        .await;
        assert_eq!(quiet.len(), 1, "stateless {stateless}: {quiet:?}");
    }
}

#[tokio::test]
async fn many_clients_at_once() {
    let (upstream_url, recorder) = start_upstream().await;
    let server = start_server(&upstream_url, Options::default()).await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let mut client = Client::new(&server);
        tasks.push(tokio::spawn(async move {
            client.initialize().await;
            let result = client
                .call("getPet", json!({"petId": format!("p{i}")}))
                .await;
            assert_eq!(result["structuredContent"]["id"], format!("p{i}"));
            client.session.clone().unwrap()
        }));
    }
    let mut sessions = Vec::new();
    for task in tasks {
        sessions.push(task.await.unwrap());
    }
    sessions.sort();
    sessions.dedup();
    assert_eq!(sessions.len(), 24, "one session per client");
    assert_eq!(recorder.all().len(), 24);
}

#[tokio::test]
async fn upstream_failures_are_tool_errors_without_the_url() {
    // A socket bound but not listening refuses connections, and keeps its port from being
    // taken by another test's server in the meantime.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let closed = socket.local_addr().unwrap();
    let server = start_server(&format!("http://{closed}/secret-base"), Options::default()).await;
    let mut client = Client::new(&server);
    client.initialize().await;
    let result = client
        .call("getPet", json!({"petId": "1", "include": ["token-abc"]}))
        .await;
    assert_eq!(result["isError"], true);
    let text = text_of(&result);
    assert!(
        text.starts_with("GET /pets/{petId} failed: could not connect to the upstream API"),
        "{text}"
    );
    assert!(
        !text.contains("secret-base") && !text.contains("token-abc") && !text.contains("127.0.0.1"),
        "{text}"
    );

    let (upstream_url, _recorder) = start_upstream().await;
    let server = start_server(
        &upstream_url,
        Options {
            timeout: Duration::from_secs(1),
            ..Options::default()
        },
    )
    .await;
    let mut client = Client::new(&server);
    client.initialize().await;
    let result = client.call("slow", json!({})).await;
    assert_eq!(result["isError"], true);
    assert!(
        text_of(&result).contains("did not answer within 1 s"),
        "{}",
        text_of(&result)
    );
}

#[tokio::test]
async fn large_bodies_are_cut_at_the_limit() {
    static BIG: ToolDef = ToolDef {
        name: "big",
        path: "/big",
        scopes: &[],
        security: &[],
        build: build_big,
        ..SLOW
    };
    fn build_big(_: JsonObject) -> Result<Request, ArgError> {
        Request::new(Method::Get, "/big").finish()
    }
    static BIG_API: ApiDef = ApiDef {
        tools: &[&BIG],
        ..API
    };
    let (upstream_url, _recorder) = start_upstream().await;
    let config = UpstreamConfig {
        base_url: upstream_url,
        timeout: Duration::from_secs(10),
        max_response_bytes: 1000,
        max_concurrent: 64,
    };
    let server = McpServer::new(&BIG_API, Upstream::new(&BIG_API, &config).unwrap());
    let result = server.call("big", Some(JsonObject::new())).await.unwrap();
    assert_eq!(result.is_error, Some(false));
    let text = &result.content[0].as_text().unwrap().text;
    assert_eq!(
        text,
        &format!("{}\n[truncated after 1000 bytes]", "x".repeat(1000))
    );
}

#[tokio::test]
async fn request_bodies_over_the_limit_get_413() {
    let (upstream_url, _recorder) = start_upstream().await;
    let server = start_server(
        &upstream_url,
        Options {
            max_request_bytes: 2048,
            ..Options::default()
        },
    )
    .await;
    let big =
        json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x".repeat(4096)}})
            .to_string();
    let http = reqwest::Client::new();
    let announced = http
        .post(&server.url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(announced.status(), 413);
    assert!(
        announced
            .text()
            .await
            .unwrap()
            .contains("MCP_MAX_REQUEST_BYTES")
    );
    // Without a Content-Length (chunked), the limit is found while reading.
    let status = {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let address = server
            .url
            .trim_start_matches("http://")
            .trim_end_matches("/mcp");
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let head = format!(
            "POST /mcp HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        for chunk in big.as_bytes().chunks(512) {
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
            if stream.write_all(&framed).await.is_err() {
                break; // the server may answer and close before the whole body is sent
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        let mut answer = vec![0; 64];
        let n = stream.read(&mut answer).await.unwrap();
        String::from_utf8_lossy(&answer[..n]).into_owned()
    };
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    // A request under the limit is served.
    let mut client = Client::new(&server);
    client.initialize().await;
}

#[tokio::test]
async fn upstream_calls_beyond_the_cap_wait_then_report_busy() {
    let (upstream_url, recorder) = start_upstream().await;
    let config = |timeout| UpstreamConfig {
        base_url: upstream_url.clone(),
        timeout: Duration::from_secs(timeout),
        max_response_bytes: 1 << 20,
        max_concurrent: 1,
    };
    // Backpressure: with one slot, concurrent calls queue and all succeed.
    let server = McpServer::new(&API, Upstream::new(&API, &config(10)).unwrap());
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..4 {
        let server = server.clone();
        calls.spawn(async move {
            let mut args = JsonObject::new();
            args.insert("petId".into(), json!(i.to_string()));
            server.call("getPet", Some(args)).await.unwrap()
        });
    }
    let results = calls.join_all().await;
    assert!(
        results.iter().all(|r| r.is_error == Some(false)),
        "{results:?}"
    );
    assert_eq!(recorder.all().len(), 4);
    // A call that cannot get a slot within the timeout is a tool error that says why.
    let server = McpServer::new(&API, Upstream::new(&API, &config(1)).unwrap());
    // Two slow calls (each held up to the 1 s timeout, one after the other, as the queue is
    // fair) keep the slot taken for longer than a third call may wait.
    let mut slow = tokio::task::JoinSet::new();
    for _ in 0..2 {
        let server = server.clone();
        slow.spawn(async move { server.call("slow", Some(JsonObject::new())).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    let mut args = JsonObject::new();
    args.insert("petId".into(), json!("1"));
    let busy = server.call("getPet", Some(args)).await.unwrap();
    assert_eq!(busy.is_error, Some(true));
    let text = &busy.content[0].as_text().unwrap().text;
    assert!(
        text.contains("the server is busy: all 1 upstream call slots"),
        "{text}"
    );
    slow.join_all().await;
}

#[tokio::test]
async fn host_and_origin_checks_and_health() {
    let (upstream_url, _recorder) = start_upstream().await;
    let server = start_server(
        &upstream_url,
        Options {
            allowed_origins: vec!["https://app.example.com".into()],
            ..Options::default()
        },
    )
    .await;
    let client = Client::new(&server);
    let health = client
        .http
        .get(format!("{}/healthz", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let foreign_host = client
        .post(&init)
        .header("host", "evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_host.status(), StatusCode::FORBIDDEN);
    let foreign_origin = client
        .post(&init)
        .header("origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_origin.status(), StatusCode::FORBIDDEN);
    let allowed_origin = client
        .post(&init)
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed_origin.status(), StatusCode::OK);
}

#[test]
fn http_without_allow_unauthenticated_is_refused() {
    static WITH_SERVER: ApiDef = ApiDef {
        default_upstream_url: Some("https://pets.example.com/v1"),
        ..API
    };
    let resolve = |args: &[&str]| {
        let argv = ["petstore-mcp", "serve"]
            .into_iter()
            .chain(args.iter().copied());
        match cli::parse(&WITH_SERVER, argv).unwrap().command {
            cli::Command::Serve(serve) => Config::resolve(&WITH_SERVER, &serve),
            _ => unreachable!(),
        }
    };
    let err = resolve(&["--transport", "http"]).unwrap_err();
    assert_eq!(err.code, 2);
    assert!(err.message.contains("--allow-unauthenticated"));
    assert!(resolve(&["--transport", "http", "--allow-unauthenticated"]).is_ok());
    assert!(resolve(&["--transport", "stdio"]).is_ok());
}

#[tokio::test]
async fn stdio_transport_serves_json_lines() {
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

    let (upstream_url, recorder) = start_upstream().await;
    let config = UpstreamConfig {
        base_url: upstream_url,
        timeout: Duration::from_secs(10),
        max_response_bytes: 1 << 20,
        max_concurrent: 64,
    };
    let server = McpServer::new(&API, Upstream::new(&API, &config).unwrap());
    let (client_side, server_side) = tokio::io::duplex(1 << 16);
    let (server_read, server_write) = tokio::io::split(server_side);
    let shutdown = CancellationToken::new();
    let serving = tokio::spawn(mcpwright_runtime::stdio::serve_on(
        server,
        (server_read, server_write),
        4096,
        shutdown.clone(),
    ));

    let (client_read, mut client_write) = tokio::io::split(client_side);
    let mut lines = BufReader::new(client_read).lines();
    let mut send_line = async |line: String| {
        client_write
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
    };
    send_line(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}).to_string()).await;
    let init: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(init["result"]["serverInfo"]["name"], "petstore-mcp");
    send_line(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string()).await;
    // `logging/setLevel` to info: a log notification for each call, before its answer (the
    // default threshold is warning).
    send_line(json!({"jsonrpc": "2.0", "id": 4, "method": "logging/setLevel", "params": {"level": "info"}}).to_string()).await;
    let set: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(set["id"], 4);
    send_line(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "listPets", "arguments": {"limit": 1}}}).to_string()).await;
    let log: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(log["method"], "notifications/message");
    assert_eq!(log["params"]["level"], "info");
    assert_eq!(log["params"]["data"]["tool"], "listPets");
    let call: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(call["id"], 2);
    assert_eq!(call["result"]["structuredContent"]["result"][0]["id"], "1");
    assert_eq!(recorder.all().pop().unwrap().target, "/v1/pets?limit=1");

    // A line that is not JSON gets a JSON-RPC parse error, and the session goes on.
    send_line("{not json".to_owned()).await;
    let error: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(error["id"], Value::Null);
    assert_eq!(error["error"]["code"], -32700);
    // A line over the limit (4096 bytes here) is refused without being kept, and the session goes
    // on: the next line is answered.
    send_line(format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\",\"params\":{{\"pad\":\"{}\"}}}}",
        "x".repeat(100_000)
    ))
    .await;
    let error: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(error["id"], Value::Null);
    assert_eq!(error["error"]["code"], -32600);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("longer than 4096 bytes")
    );
    send_line(json!({"jsonrpc": "2.0", "id": 10, "method": "ping"}).to_string()).await;
    let pong: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(pong["id"], 10, "{pong}");
    // JSON that is not a request is refused by the protocol engine.
    send_line(json!([1, 2]).to_string()).await;
    let error: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(error["error"]["code"], -32600);
    // `logging/setLevel` raises the threshold: a successful call then sends no notification.
    send_line(json!({"jsonrpc": "2.0", "id": 5, "method": "logging/setLevel", "params": {"level": "error"}}).to_string()).await;
    let set: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(set["id"], 5);
    assert!(set.get("error").is_none(), "{set}");
    send_line(json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "listPets", "arguments": {"limit": 1}}}).to_string()).await;
    let call: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(call["id"], 6, "no notification before the answer: {call}");
    send_line(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}).to_string()).await;
    let list: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(list["id"], 3);
    assert!(
        list["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    );

    // EOF on stdin ends the server cleanly.
    client_write.shutdown().await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("server stops on EOF");
    assert_eq!(ended.unwrap(), Ok(()));
}

/// `reqwest` is built without its `json` feature (generated servers do not need it).
trait JsonText {
    async fn json_text(self) -> Value;
}

impl JsonText for reqwest::Response {
    async fn json_text(self) -> Value {
        serde_json::from_str(&self.text().await.unwrap()).unwrap()
    }
}

/// Hooks that touch each stage: an argument default, a request header, a redacted result.
struct TestHooks;

impl mcpwright_runtime::hooks::Hooks for TestHooks {
    fn arguments(
        &self,
        call: &mcpwright_runtime::hooks::Call<'_>,
        arguments: &mut JsonObject,
    ) -> Result<(), ArgError> {
        if call.tool.name == "getPet" && !arguments.contains_key("petId") {
            arguments.insert("petId".into(), json!("42"));
        }
        if arguments.get("petId") == Some(&json!("forbidden")) {
            return Err(ArgError::new("petId", "not this one"));
        }
        Ok(())
    }

    fn request(
        &self,
        _call: &mcpwright_runtime::hooks::Call<'_>,
        request: &mut Request,
    ) -> Result<(), ArgError> {
        request.set_header("X-From-Hook", "yes".to_owned());
        Ok(())
    }

    fn result(
        &self,
        _call: &mcpwright_runtime::hooks::Call<'_>,
        result: &mut rmcp::model::CallToolResult,
    ) {
        if let Some(Value::Object(map)) = &mut result.structured_content {
            map.insert("name".into(), json!("[redacted]"));
        }
    }

    fn resource(
        &self,
        call: &mcpwright_runtime::hooks::Call<'_>,
        result: &mut rmcp::model::ReadResourceResult,
    ) {
        let uri = format!("pets://redacted/{}", call.tool.name);
        result.contents = vec![rmcp::model::ResourceContents::text("[redacted]", uri)];
    }
}

#[tokio::test]
async fn hooks_run_around_every_call() {
    static HOOKED: ApiDef = ApiDef {
        hooks: &TestHooks,
        ..API
    };
    let (upstream_url, recorder) = start_upstream().await;
    let config = UpstreamConfig {
        base_url: upstream_url,
        timeout: Duration::from_secs(10),
        max_response_bytes: 1 << 20,
        max_concurrent: 64,
    };
    let server = McpServer::new(&HOOKED, Upstream::new(&HOOKED, &config).unwrap());
    // The arguments hook supplies the required petId, the request hook adds a header, the result
    // hook redacts the name.
    let result = server
        .call("getPet", Some(JsonObject::new()))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(false), "{result:?}");
    assert_eq!(result.structured_content.as_ref().unwrap()["id"], "42");
    assert_eq!(
        result.structured_content.as_ref().unwrap()["name"],
        "[redacted]"
    );
    let seen = recorder.all();
    assert_eq!(seen[0].target, "/v1/pets/42");
    assert_eq!(seen[0].headers["x-from-hook"], "yes");
    // A hook's error is the model's tool error, and nothing is sent.
    let mut args = JsonObject::new();
    args.insert("petId".into(), json!("forbidden"));
    let result = server.call("getPet", Some(args)).await.unwrap();
    assert_eq!(result.is_error, Some(true));
    assert_eq!(recorder.all().len(), 1);
    // A resource read runs the same hooks, and `resource` on its contents.
    let silent = mcpwright_runtime::notify::Reporter::silent();
    let read = server.read("pets://pets/9", None, silent).await.unwrap();
    let json = serde_json::to_value(&read).unwrap();
    assert_eq!(json["contents"][0]["text"], "[redacted]", "{json}");
    assert_eq!(json["contents"][0]["uri"], "pets://redacted/getPet");
    let seen = recorder.all();
    assert_eq!(seen[1].target, "/v1/pets/9");
    assert_eq!(seen[1].headers["x-from-hook"], "yes");
    let silent = mcpwright_runtime::notify::Reporter::silent();
    let refused = server.read("pets://pets/forbidden", None, silent).await;
    assert!(refused.unwrap_err().message.contains("not this one"));
    assert_eq!(recorder.all().len(), 2);
}
