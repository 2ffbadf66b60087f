// How the runtime talks to one database, from the environment (README, "Settings"):
//
//   NTNT_DB_POOL            connections per database in all (default 8)
//   NTNT_DB_PIPELINES       of those, shared pipelined connections (default 2); the rest serve
//                           transactions, at least one
//   NTNT_DB_PIPELINE_DEPTH  requests' statements in flight per pipelined connection (default 64)
//   NTNT_DB_TIMEOUT         seconds a statement may take before it is an Err (default 5)
//   NTNT_DB_PREPARE         `off`: unnamed statements, no server-side prepared statements
//                           (for PgBouncer's transaction pooling); default prepared

struct PostgresSettings {
    let url: String
    let pipelines: Int
    let transactionSessions: Int
    let pipelineDepth: Int
    let timeoutMillis: Int
    let prepare: Bool

    init(url: String) {
        self.url = url
        let pool = max(1, environmentInt("NTNT_DB_POOL") ?? 8)
        pipelines = max(1, min(pool, environmentInt("NTNT_DB_PIPELINES") ?? 2))
        transactionSessions = max(1, pool - pipelines)
        pipelineDepth = max(1, environmentInt("NTNT_DB_PIPELINE_DEPTH") ?? 64)
        timeoutMillis = max(1, environmentInt("NTNT_DB_TIMEOUT") ?? 5) * 1000
        prepare = environmentString("NTNT_DB_PREPARE")?.lowercased() != "off"
    }

    /// Commands every session runs once: fixed output formats for dates and times, and the
    /// server-side statement timeout, so a slow statement is cancelled by the server itself.
    var sessionSetup: [String] {
        ["SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, YMD'", "SET statement_timeout = \(timeoutMillis)"]
    }
}
