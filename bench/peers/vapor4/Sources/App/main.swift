// The seven benchmark endpoints on Vapor 4, written the way its documentation shows:
// Content responses, a PostgresClient running beside the application, a Leaf view.
import Leaf
import PostgresNIO
import Vapor

struct Message: Content { let message: String }
struct UserID: Content { let id: String }
struct Nested: Content { let key: String }
struct EchoBody: Content { let message: String; let numbers: [Int]; let nested: Nested }
struct World: Content { let id: Int32; let randomNumber: Int32 }
struct Page: Encodable { let rows: [World] }

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

func randomWorld(_ client: PostgresClient) async throws -> World {
    let rows = try await client.execute(WorldByID(id: Int32.random(in: 1...10000)))
    for try await (id, randomNumber) in rows { return World(id: id, randomNumber: randomNumber) }
    throw Abort(.notFound)
}

// Request logging at info level would dominate the benchmark; warnings and errors still show.
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
let environment = ProcessInfo.processInfo.environment
var postgres = PostgresClient.Configuration(host: "127.0.0.1", port: Int(environment["PGPORT"] ?? "") ?? 54329,
                                            username: "postgres", password: nil, database: "ntnt", tls: .disable)
postgres.options.maximumConnections = 16
let client = PostgresClient(configuration: postgres, backgroundLogger: Logger(label: "postgres"))

let app = try await Application.make(.production)
app.http.server.configuration.hostname = "127.0.0.1"
app.http.server.configuration.port = Int(environment["PORT"] ?? "") ?? 8080
app.http.server.configuration.serverName = "Vapor"
app.views.use(.leaf)
app.leaf.cache.isEnabled = true

app.get("plaintext") { _ in "Hello, World!" }
app.get("json") { _ in Message(message: "Hello, World!") }
app.get("users", ":id") { req in UserID(id: try req.parameters.require("id")) }
app.post("json") { req in try req.content.decode(EchoBody.self) }
app.get("db") { _ in try await randomWorld(client) }
app.get("queries") { req async throws -> [World] in
    let count = min(max((try? req.query.get(Int.self, at: "count")) ?? 1, 1), 500)
    var worlds: [World] = []
    worlds.reserveCapacity(count)
    for _ in 0..<count { worlds.append(try await randomWorld(client)) }
    return worlds
}
app.get("template") { req async throws -> View in
    var rows: [World] = []
    for _ in 0..<10 { rows.append(try await randomWorld(client)) }
    return try await req.view.render("world", Page(rows: rows))
}

let postgresTask = Task { await client.run() }
do {
    try await app.execute()
} catch {
    app.logger.report(error: error)
}
postgresTask.cancel()
try await app.asyncShutdown()
