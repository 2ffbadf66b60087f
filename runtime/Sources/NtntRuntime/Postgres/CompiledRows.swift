// Typed rows for statements described when the program was compiled (`ntnt build
// --database-url`): the compiler writes a struct per statement (a CompiledRow) whose fields
// have the columns' Swift types, and its code calls `RowQuery` instead of the `query` and
// `query_one` builtins. The statement runs exactly as through the builtins (same argument
// checks, same batching, same errors); only the answer is read differently, from the cells
// straight into the structs, without a Map per row. A result whose columns are no longer
// the compiled ones (the schema changed since) is an `Err` naming the column, like any
// database failure, never a crash.

/// A row struct written by the compiler for one described statement.
public protocol CompiledRow {
    /// Column names in the statement's order, as described at compile time.
    static var columnNames: [String] { get }
    /// The ntnt type each column had at compile time (for the error when it changed).
    static var columnTypes: [String] { get }
    /// Reads the row at `cells[base ..< base + columnNames.count]`.
    init(cells: [Value], at base: Int) throws(ColumnMismatch)
    /// The row as the Map `query` gives.
    var value: Value { get }
    /// The row's JSON text (the Map's: keys in order).
    func writeJSON(to out: inout [UInt8])
}

/// A cell whose value is not of its column's compiled type.
public struct ColumnMismatch: Error {
    public let column: Int
    public init(column: Int) { self.column = column }
}

/// What a typed `query`/`query_one` gives: its rows, or the Err value the builtin would return.
public enum RowOutcome<T> {
    case ok(T)
    case err(Value)
}

public enum RowQuery {
    // The generic entries are inlinable so that compiled programs specialise them for their
    // row structs (an unspecialised generic read cost several % of /queries in a profile).

    /// `query_one(args…)` read as `R` (nil when no row).
    @inlinable
    public static func one<R: CompiledRow>(_ args: [Value], _: R.Type) throws -> RowOutcome<R?> {
        let table: ResultTable
        switch try answer(args, "query_one") {
        case .err(let e): return .err(e)
        case .ok(let t): table = t
        }
        if let changed = columnsChanged(table, R.columnNames) { return .err(changed) }
        if table.rowCount == 0 { return .ok(nil) }
        do {
            return .ok(try R(cells: table.cells, at: 0))
        } catch {
            return .err(cellMismatch(table, row: 0, column: error.column, compiled: R.columnTypes))
        }
    }

    /// `query(args…)` read as `[R]`.
    @inlinable
    public static func all<R: CompiledRow>(_ args: [Value], _: R.Type) throws -> RowOutcome<[R]> {
        let table: ResultTable
        switch try answer(args, "query") {
        case .err(let e): return .err(e)
        case .ok(let t): table = t
        }
        if let changed = columnsChanged(table, R.columnNames) { return .err(changed) }
        var rows: [R] = []
        rows.reserveCapacity(table.rowCount)
        let n = table.columns.count
        for r in 0..<table.rowCount {
            do {
                rows.append(try R(cells: table.cells, at: r * n))
            } catch {
                return .err(cellMismatch(table, row: r, column: error.column, compiled: R.columnTypes))
            }
        }
        return .ok(rows)
    }

    /// Runs a `query`/`query_one` call: the answer, or the Err value the builtin returns.
    /// The builtins themselves run through here, so both paths check and fail alike.
    @usableFromInline
    static func answer(_ a: [Value], _ fn: String) throws -> RowOutcome<ResultTable> {
        let db = try Builtins.handle(a[0], fn)
        let sql = try a.string(1, fn), params = try Builtins.parameterArray(a, 2, fn)
        if let table = try QueryPrefetch.intercept(db, sql, params) { return .ok(table) }
        do {
            return .ok(try db.execute(sql, params))
        } catch let e as PostgresError {
            return .err(.string("Query failed: \(e.message)"))
        }
    }

    /// The Err for a cell that no longer has its column's compiled type.
    @usableFromInline
    static func cellMismatch(_ t: ResultTable, row: Int, column c: Int, compiled: [String]) -> Value {
        let now = t.cells[row * t.columns.count + c]
        return .string("Query failed: column \"\(t.columns[c])\" is now \(now.typeName), but was \(compiled[c]) "
            + "when the program was compiled; rebuild it against this database")
    }

    /// The Err when the answer's columns are not the compiled ones (by bytes), else nil.
    @usableFromInline
    static func columnsChanged(_ t: ResultTable, _ compiled: [String]) -> Value? {
        let now = t.columns
        if now.count == compiled.count && zip(now, compiled).allSatisfy({ $0.utf8.elementsEqual($1.utf8) }) { return nil }
        let column = compiled.first { !now.contains($0) }.map { "no longer has column \"\($0)\"" }
            ?? now.first { !compiled.contains($0) }.map { "has a new column \"\($0)\"" }
            ?? "returns its columns in another order"
        return .string("Query failed: the statement \(column) since the program was compiled (it returns "
            + now.joined(separator: ", ") + "); rebuild it against this database")
    }
}

// MARK: - Helpers of generated code

/// An optional row as a Value (None when no row).
@inlinable
public func rowValue<R: CompiledRow>(_ row: R?) -> Value { row?.value ?? .none }

/// Typed rows as the Array of Maps `query` gives.
@inlinable
public func rowsValue<R: CompiledRow>(_ rows: [R]) -> Value { .array(rows.map(\.value)) }

/// `json(rows)`: the Array's JSON text without making its Maps.
public func writeRowsJSON<R: CompiledRow>(_ rows: [R], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (i, r) in rows.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        r.writeJSON(to: &out)
    }
    out.append(UInt8(ascii: "]"))
}

/// `json(row)` of an optional row: `null` when there is none.
public func writeRowJSON<R: CompiledRow>(_ row: R?, to out: inout [UInt8]) {
    if let row { row.writeJSON(to: &out) } else { out.append(contentsOf: "null".utf8) }
}

/// A Value the compiler proved to be a row of `R` (or None), read back as `R`.
public func rowOf<R: CompiledRow>(_ v: Value, _: R.Type) throws -> R? {
    guard case .map(let m) = v else {
        if case .none = v { return nil }
        throw RuntimeError("expected a row, got \(v.typeName)")
    }
    let cells = try R.columnNames.map { name -> Value in
        guard let x = m[name] else { throw RuntimeError("row has no column \(name)") }
        return x
    }
    do {
        return try R(cells: cells, at: 0)
    } catch {
        throw RuntimeError("row column \(R.columnNames[error.column]) is not \(R.columnTypes[error.column])")
    }
}

/// A Value the compiler proved to be a row of `R` (not None), read back as `R`.
public func requiredRow<R: CompiledRow>(_ v: Value, _: R.Type) throws -> R {
    guard let row = try rowOf(v, R.self) else { throw RuntimeError("expected a row, got None") }
    return row
}
