// A statement's answer as it came off the wire: its columns once, then every row's cells.
//
// Rows become Maps only when the program asks for them as values (`rows`), and then all rows
// of one result share one sorted key array, so a row costs one allocation (its values). Code
// compiled against a described statement reads the cells directly into its row structs
// (CompiledRow) and never builds the Maps.

public struct ResultTable {
    /// Column names and type OIDs, in the statement's order.
    public let columns: [String]
    public let types: [UInt32]
    public let rowCount: Int
    /// Row-major cells in the statement's column order (NULL is `.none`).
    public let cells: [Value]
    public let affected: Int

    init(columns: [String], types: [UInt32], rowCount: Int, cells: [Value], affected: Int) {
        self.columns = columns
        self.types = types
        self.rowCount = rowCount
        self.cells = cells
        self.affected = affected
    }

    /// Every row as a Map (what `query` returns).
    public var rows: [Value] { maps(rowCount) }

    /// The first row as a Map, or None (what `query_one` returns).
    public var firstRow: Value { rowCount == 0 ? .none : maps(1)[0] }

    /// The first `count` rows as Maps.
    private func maps(_ count: Int) -> [Value] {
        if count == 0 { return [] }
        let n = columns.count
        let order = (0..<n).sorted { compareKeys(columns[$0], columns[$1]) < 0 }
        let keys = order.map { columns[$0] }
        let distinct = zip(keys, keys.dropFirst()).allSatisfy { compareKeys($0, $1) != 0 }
        var rows: [Value] = []
        rows.reserveCapacity(count)
        for r in 0..<count {
            let base = r * n
            if distinct {
                rows.append(.map(ValueMap(sortedKeys: keys, values: order.map { cells[base + $0] })))
            } else {
                // `SELECT 1 AS a, 2 AS a`: a later column of the same name wins, as in any Map.
                var m = ValueMap()
                for c in 0..<n { m[columns[c]] = cells[base + c] }
                rows.append(.map(m))
            }
        }
        return rows
    }
}
