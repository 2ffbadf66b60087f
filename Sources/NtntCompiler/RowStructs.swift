// Prints the row struct of each typed statement (TypedRows): one stored field per column with
// the column's Swift type (optional: any column may be NULL), read from the answer's cells
// with a check of each cell (a changed schema is an Err, see the runtime's CompiledRows), and
// turned back into the Map or the JSON text that `query` would give, keys in Map order.

enum RowStructs {
    static func write(_ shape: RowShape, to out: SwiftCodeWriter) {
        let types = shape.fieldTypes
        let n = shape.columns.count
        // Map order: keys by UTF-8 bytes, as ValueMap sorts them.
        let sorted = (0..<n).sorted { shape.columns[$0].name.utf8.lexicographicallyPrecedes(shape.columns[$1].name.utf8) }
        out.line("/// The row of \(SwiftCodeWriter.literal(shape.sql).prefix(100)), as described at compile time.")
        out.block("struct \(shape.structName): CompiledRow") {
            out.line("static let columnNames: [String] = [\(shape.columns.map { SwiftCodeWriter.literal($0.name) }.joined(separator: ", "))]")
            out.line("static let columnTypes: [String] = [\(types.map { SwiftCodeWriter.literal($0.ntntName) }.joined(separator: ", "))]")
            out.line("static let mapKeys: [String] = [\(sorted.map { SwiftCodeWriter.literal(shape.columns[$0].name) }.joined(separator: ", "))]")
            for (k, i) in sorted.enumerated() {
                // `{"name":` / `,"name":`, escaped by the runtime's JSON writer like every key.
                let open = k == 0 ? "0x7B" : "0x2C"
                out.line("static let jsonKey\(i): [UInt8] = { var o: [UInt8] = [\(open)]; JSONWriter.writeString(\(SwiftCodeWriter.literal(shape.columns[i].name)), to: &o); o.append(0x3A); return o }()")
            }
            for i in 0..<n { out.line("var \(shape.field(i)): \(shape.swiftType(i))") }
            out.line("")
            out.block("init(cells: [Value], at base: Int) throws(ColumnMismatch)") {
                for i in 0..<n {
                    let f = shape.field(i)
                    guard let native = types[i].native else {
                        out.line("\(f) = cells[base + \(i)]")
                        continue
                    }
                    out.line("switch cells[base + \(i)] {")
                    out.line("case \(native.valueCase.replacingOccurrences(of: "Value", with: ""))(let x): \(f) = x")
                    out.line("case .none: \(f) = nil")
                    out.line("default: throw ColumnMismatch(column: \(i))")
                    out.line("}")
                }
            }
            out.line("")
            out.block("var value: Value") {
                out.line(".map(ValueMap(sortedKeys: Self.mapKeys, values: [\(sorted.map { shape.fieldValue($0, of: "self") }.joined(separator: ", "))]))")
            }
            out.line("")
            out.block("func writeJSON(to out: inout [UInt8])") {
                for i in sorted {
                    out.line("out.append(contentsOf: Self.jsonKey\(i))")
                    let f = shape.field(i)
                    guard let native = types[i].native else {
                        out.line("JSONWriter.write(\(f), to: &out)")
                        continue
                    }
                    out.line("if let v = \(f) {")
                    switch native {
                    case .int: out.line("    JSONWriter.appendInt(v, to: &out)")
                    case .string: out.line("    JSONWriter.writeString(v, to: &out)")
                    case .bool: out.line("    out.append(contentsOf: (v ? \"true\" : \"false\").utf8)")
                    default: out.line("    JSONWriter.write(.float(v), to: &out)")
                    }
                    out.line("} else { out.append(contentsOf: \"null\".utf8) }")
                }
                out.line("out.append(UInt8(ascii: \"}\"))")
            }
        }
    }
}
