// The JSON parser on arbitrary bytes: an Err or a value, never a trap; and a value survives a
// round trip through the writer unchanged.
import NtntRuntime

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard case .success(let value) = JSONParser.parse(buffer: UnsafeBufferPointer(start: data, count: size)) else { return 0 }
    let text = JSONWriter.stringify(value)
    guard case .success(let again) = JSONParser.parse(text) else { preconditionFailure("the writer's output does not parse: \(text)") }
    precondition(Value.equals(value, again), "round trip changed the value: \(text)")
    return 0
}
