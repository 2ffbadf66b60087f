// The HTTP/1.1 request parser on arbitrary bytes: it must answer complete, partial or invalid
// without trapping, and a complete request must account for bytes it was given.
import NtntRuntime

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let buffer = UnsafeBufferPointer(start: data, count: size)
    // Small limits reach the limit checks with small inputs.
    let limits = HTTPLimits(maxHeaderBytes: 512, maxBodyBytes: 256, maxHeaders: 8, maxTargetBytes: 128)
    var start = 0
    // Parse pipelined requests the way a connection does, until the input is used up.
    while start < size {
        switch HTTPRequestParser.parse(buffer, start: start, end: size, limits: limits) {
        case .complete(let request, let consumed):
            precondition(consumed > 0 && start + consumed <= size, "consumed \(consumed) of \(size - start)")
            precondition(request.body.count <= limits.maxBodyBytes, "body over the limit")
            start += consumed
        case .partial, .invalid:
            return 0
        }
    }
    return 0
}
