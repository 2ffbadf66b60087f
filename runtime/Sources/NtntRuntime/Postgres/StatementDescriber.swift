// Compile-time SQL: `ntnt transpile --database-url` prepares each SQL text of the program on
// the database without running it and asks PostgreSQL what it takes and returns. A statement
// PostgreSQL cannot prepare (syntax, unknown table or column) is reported with its message;
// a prepared one gives its parameter count and its columns with the ntnt type each becomes.

import CLibPQ

public enum StatementDescriber {
    public struct Column: Equatable {
        public let name: String
        /// The ntnt type of the column's values: Int, Float, Bool, String or a JSON value.
        public let type: String
        /// False when the column comes straight from a table column declared NOT NULL.
        public let nullable: Bool
        /// PostgreSQL's type OID (what the runtime decodes by).
        public let oid: UInt32
    }

    /// PostgreSQL's message (or why the database could not be reached).
    public struct Failure: Error, Equatable {
        public let message: String
    }

    public struct Description: Equatable {
        public let parameters: Int
        public let columns: [Column]
    }

    /// Describes every statement on the database at `url`: for each, its description or
    /// PostgreSQL's error message. Fails as a whole when the database cannot be reached.
    public static func describe(url: String, statements: [String]) -> Result<[Result<Description, Failure>], Failure> {
        guard let conn = PQconnectdb(url) else { return .failure(Failure(message: "cannot allocate a connection")) }
        defer { PQfinish(conn) }
        guard PQstatus(conn) == CONNECTION_OK else {
            return .failure(Failure(message: String(cString: PQerrorMessage(conn)).trimmingSuffixNewlines()))
        }
        silenceNotices(conn)
        var out: [Result<Description, Failure>] = []
        for sql in statements {
            out.append(describeOne(conn, sql))
        }
        return .success(out)
    }

    private static func describeOne(_ conn: OpaquePointer, _ sql: String) -> Result<Description, Failure> {
        let prepared = PQprepare(conn, "", sql, 0, nil)
        defer { PQclear(prepared) }
        guard PQresultStatus(prepared) == PGRES_COMMAND_OK else {
            return .failure(Failure(message: message(prepared, conn)))
        }
        let described = PQdescribePrepared(conn, "")
        defer { PQclear(described) }
        guard PQresultStatus(described) == PGRES_COMMAND_OK else { return .failure(Failure(message: message(described, conn))) }
        var columns: [Column] = []
        for i in 0..<PQnfields(described) {
            let name = String(cString: PQfname(described, i))
            let oid = PQftype(described, i)
            let nullable = !declaredNotNull(conn, table: PQftable(described, i), column: PQftablecol(described, i))
            columns.append(Column(name: name, type: typeName(oid), nullable: nullable, oid: UInt32(oid)))
        }
        return .success(Description(parameters: Int(PQnparams(described)), columns: columns))
    }

    /// Whether a result column is a table column declared NOT NULL (expressions may be NULL).
    private static func declaredNotNull(_ conn: OpaquePointer, table: Oid, column: Int32) -> Bool {
        guard table != 0, column > 0 else { return false }
        let r = PQexec(conn, "SELECT attnotnull FROM pg_attribute WHERE attrelid = \(table) AND attnum = \(column)")
        defer { PQclear(r) }
        guard PQresultStatus(r) == PGRES_TUPLES_OK, PQntuples(r) == 1, let v = PQgetvalue(r, 0, 0) else { return false }
        return v.pointee == UInt8(ascii: "t")
    }

    /// The ntnt type of a column, by type OID (as `PostgresValues.decodeField` converts them).
    static func typeName(_ oid: Oid) -> String {
        switch oid {
        case 20, 21, 23, 26: return "Int"
        case 700, 701, 1700: return "Float"
        case 16: return "Bool"
        case 114, 3802: return "JSON"
        default: return "String"
        }
    }

    private static func message(_ r: OpaquePointer?, _ conn: OpaquePointer) -> String {
        if let r, let m = PQresultErrorField(r, Int32(UInt8(ascii: "M"))) { return String(cString: m) }
        return String(cString: PQerrorMessage(conn)).trimmingSuffixNewlines()
    }
}

extension String {
    fileprivate func trimmingSuffixNewlines() -> String {
        var s = Substring(self)
        while s.last == "\n" { s = s.dropLast() }
        return String(s)
    }
}
