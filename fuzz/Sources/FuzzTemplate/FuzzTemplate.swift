// The template parser: arbitrary text as the body of a triple-quoted template literal (tags,
// interpolations, filters, loops), never a trap.
import NtntSyntax

let opening = Array("let page = \"\"\"".utf8)
let closing = Array("\"\"\"\n".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var body = Array(UnsafeBufferPointer(start: data, count: size))
    // A `"""` inside would end the literal early and fuzz the statement parser instead.
    for i in body.indices where body[i] == UInt8(ascii: "\"") { body[i] = UInt8(ascii: "'") }
    let file = SourceFiles.unregistered(path: "fuzz.tnt", bytes: opening + body + closing)
    var parser = Parser(file: file)
    _ = parser.parseModule()
    return 0
}
