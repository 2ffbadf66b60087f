// The lexer and parser on arbitrary source text: diagnostics or a syntax tree, never a trap or
// a stack overflow.
import NtntSyntax

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSyntax(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let file = SourceFiles.unregistered(path: "fuzz.tnt", bytes: Array(UnsafeBufferPointer(start: data, count: size)))
    var parser = Parser(file: file)
    _ = parser.parseModule()
    return 0
}
