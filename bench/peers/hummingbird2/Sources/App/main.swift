// The seven benchmark endpoints on Hummingbird 2, written the way its documentation shows:
// Codable responses, a PostgresClient run as a service, a Mustache template.
import Foundation
import Hummingbird
import Logging
import Mustache
import PostgresNIO

struct Message: ResponseEncodable { let message: String }
struct UserID: ResponseEncodable { let id: String }
struct Nested: Codable { let key: String }
struct EchoBody: ResponseCodable { let message: String; let numbers: [Int]; let nested: Nested }
struct World: ResponseEncodable { let id: Int32; let randomNumber: Int32 }

struct WorldByID: PostgresPreparedStatement {
    static let sql = "SELECT id, randomnumber FROM world WHERE id = $1"
    typealias Row = (Int32, Int32)
    let id: Int32
    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(id)
        return bindings
    }
    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

struct HTML: ResponseGenerator {
    let body: String
    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

func randomWorld(_ client: PostgresClient) async throws -> World {
    let rows = try await client.execute(WorldByID(id: Int32.random(in: 1...10000)))
    for try await (id, randomNumber) in rows { return World(id: id, randomNumber: randomNumber) }
    throw HTTPError(.notFound)
}

let environment = ProcessInfo.processInfo.environment
let port = Int(environment["PORT"] ?? "") ?? 8080
var postgres = PostgresClient.Configuration(host: "127.0.0.1", port: Int(environment["PGPORT"] ?? "") ?? 54329,
                                            username: "postgres", password: nil, database: "ntnt", tls: .disable)
postgres.options.maximumConnections = 16
let client = PostgresClient(configuration: postgres, backgroundLogger: Logger(label: "postgres"))

let page = try MustacheTemplate(string: """
<!DOCTYPE html>
<html><head><title>World</title></head><body>
<table><tr><th>ID</th><th>Random Number</th></tr>{{#rows}}<tr><td>{{id}}</td><td>{{randomNumber}}</td></tr>{{/rows}}</table>
</body></html>
""")

let router = Router()
router.get("plaintext") { _, _ in "Hello, World!" }
router.get("json") { _, _ in Message(message: "Hello, World!") }
router.get("users/:id") { _, context in UserID(id: try context.parameters.require("id")) }
router.post("json") { request, context in try await request.decode(as: EchoBody.self, context: context) }
router.get("db") { _, _ in try await randomWorld(client) }
router.get("queries") { request, _ in
    let count = min(max(request.uri.queryParameters.get("count", as: Int.self) ?? 1, 1), 500)
    var worlds: [World] = []
    worlds.reserveCapacity(count)
    for _ in 0..<count { worlds.append(try await randomWorld(client)) }
    return worlds
}
router.get("template") { _, _ in
    var rows: [World] = []
    for _ in 0..<10 { rows.append(try await randomWorld(client)) }
    return HTML(body: page.render(["rows": rows]))
}

var app = Application(router: router,
                      configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "Hummingbird"),
                      logger: Logger(label: "hummingbird-peer"))
app.addServices(client)
try await app.runService()
