// Typed rows: which `query`/`query_one` calls of the program read their answer into a row
// struct, and what each struct holds. Given the statements described against a database at
// compile time (`--database-url`), a call whose SQL is one of them (a literal, or a name
// bound once to one) and whose columns have distinct names gets the statement's row type.
// Type inference (NativeTypes) then stores `let row = query_one(…)?` (or `… otherwise {…}`)
// as that struct, member reads become field reads, `json(row)` writes the fields, and the
// row becomes a Map only where it is used as a value. Printing the structs is in RowStructs.

import NtntSema
import NtntSyntax

/// A result column as described by the database when the program was compiled. Whether the
/// table declares it NOT NULL is left out on purpose: PostgreSQL names a column's source table
/// even through an outer join or a grouping set, where it can still be NULL, so every field of
/// a row struct is optional.
public struct DescribedColumn: Equatable {
    public let name: String
    public let typeOID: UInt32

    public init(name: String, typeOID: UInt32) {
        self.name = name
        self.typeOID = typeOID
    }
}

/// The Swift type of a row field, by the column's type (as the runtime decodes it).
enum RowFieldType: Equatable {
    case int, float, bool, string
    /// numeric (Float or, beyond Double, String), json (any value): kept as the decoded Value.
    case value

    init(oid: UInt32) {
        switch oid {
        case 20, 21, 23, 26: self = .int
        case 700, 701: self = .float
        case 16: self = .bool
        case 1700, 114, 3802: self = .value
        default: self = .string  // text, varchar, dates, timestamps, uuid…: their text form
        }
    }

    /// The scalar native type of the field, when it has one.
    var native: NativeType? {
        switch self {
        case .int: return .int
        case .float: return .float
        case .bool: return .bool
        case .string: return .string
        case .value: return nil
        }
    }

    /// The ntnt type name (for the run-time error when the column changed).
    var ntntName: String {
        switch self {
        case .int: return "Int"
        case .float: return "Float"
        case .bool: return "Bool"
        case .string: return "String"
        case .value: return "a value"
        }
    }
}

/// One statement's row struct.
struct RowShape {
    let structName: String
    let sql: String
    let columns: [DescribedColumn]

    var fieldTypes: [RowFieldType] { columns.map { RowFieldType(oid: $0.typeOID) } }

    /// Column names compare by bytes, as Map keys do.
    func column(_ name: String) -> Int? { columns.firstIndex { $0.name.utf8.elementsEqual(name.utf8) } }

    /// The Swift field holding column `i`.
    func field(_ i: Int) -> String { "c\(i)" }

    /// The Swift type of field `i`: an optional scalar, or the decoded Value.
    func swiftType(_ i: Int) -> String { fieldTypes[i].native.map { $0.swiftType + "?" } ?? "Value" }

    /// Field `i` of the row struct `row` as a Value (NULL as None), as the row's Map holds it.
    func fieldValue(_ i: Int, of row: String) -> String {
        let f = "\(row).\(field(i))"
        guard let native = fieldTypes[i].native else { return f }
        return "(\(f).map(\(native.valueCase)) ?? .none)"
    }
}

/// A call that reads its answer into a row struct.
struct TypedRowCall {
    /// `query_one` (one optional row) or `query` (an array of rows).
    let one: Bool
    let shape: String
}

/// The typed-row calls of a program and their structs.
final class TypedRows {
    private(set) var shapes: [String: RowShape] = [:]
    private var calls: [SourceLoc: TypedRowCall] = [:]

    /// Finds the calls of every module whose SQL was described (none when nothing was).
    init(statements: [String: [DescribedColumn]], prefix: String, facts: ProgramFacts, loader: ProgramLoader) {
        guard !statements.isEmpty else { return }
        var bySQL: [String: String] = [:]
        for sql in statements.keys.sorted() {
            let columns = statements[sql]!
            guard !columns.isEmpty, Set(columns.map { Array($0.name.utf8) }).count == columns.count else { continue }
            let name = "\(prefix)_Row\(shapes.count)"
            shapes[name] = RowShape(structName: name, sql: sql, columns: columns)
            bySQL[sql] = name
        }
        for canonical in loader.loadOrder {
            let finder = Finder(values: facts.values, module: canonical, bySQL: bySQL)
            finder.walk(module: loader.modules[canonical]!)
            calls.merge(finder.found) { a, _ in a }
        }
    }

    /// The typed-row call `e` is, if it is one.
    func call(_ e: Expr) -> TypedRowCall? {
        guard case let .call(_, _, loc) = e else { return nil }
        return calls[loc]
    }

    /// Structs used by the emitted code, in a stable order.
    var usedShapes: [RowShape] { shapes.values.sorted { $0.structName < $1.structName } }

    private final class Finder: ASTWalker {
        let values: StaticValues
        let module: String
        let bySQL: [String: String]
        var found: [SourceLoc: TypedRowCall] = [:]

        init(values: StaticValues, module: String, bySQL: [String: String]) {
            self.values = values
            self.module = module
            self.bySQL = bySQL
        }

        override func visit(_ e: Expr) -> Bool {
            guard case let .call(callee, args, loc) = e, args.count == 2 || args.count == 3 else { return true }
            let context = StaticContext(module: module, scopes: scopes.map(\.info))
            guard case .builtin(let name) = values.resolve(callee, in: context), name == "query" || name == "query_one",
                  case .string(let sql) = values.resolve(args[1], in: context), let shape = bySQL[sql] else { return true }
            found[loc] = TypedRowCall(one: name == "query_one", shape: shape)
            return true
        }
    }
}
