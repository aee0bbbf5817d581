internal import CCurl
internal import CShims

/// One easy handle and what it has received so far.
///
/// Concurrency: created, driven and destroyed only on the ``CurlLoop`` thread; curl calls the
/// write and header callbacks on that thread too (inside `curl_multi_perform`), so nothing here is
/// shared.
final class CurlTransfer {
    let id: UInt64
    let handle: UnsafeMutableRawPointer
    let complete: CurlLoop.Completion
    let maxResponseBytes: Int
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    var body: [UInt8] = []
    var headers: [(String, String)] = []
    var tooLarge = false

    /// Builds and configures the easy handle for `request`.
    /// - Throws: ``CurlError`` when curl refuses an option or cannot allocate a handle.
    init(
        id: UInt64, request: CurlRequest, complete: @escaping CurlLoop.Completion
    ) throws(CurlError) {
        guard let handle = curl_easy_init() else {
            throw CurlError(kind: .easy(code: Int(CURLE_FAILED_INIT.rawValue)), message: "curl_easy_init failed")
        }
        self.id = id
        self.handle = handle
        self.complete = complete
        self.maxResponseBytes = request.maxResponseBytes
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        do {
            try configure(request)
        } catch {
            release()
            throw error
        }
    }

    private func configure(_ request: CurlRequest) throws(CurlError) {
        // Signals are process-wide; curl must not use them for timeouts in a threaded process.
        try CurlError.check(cshims_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try CurlError.check(cshims_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try CurlError.check(cshims_curl_setopt_ptr(handle, CURLOPT_URL, request.url))
        try CurlError.check(cshims_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds))
        try CurlError.check(
            cshims_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.curlMilliseconds))
        try CurlError.check(cshims_curl_setopt_long(handle, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS)))
        switch request.method {
        case "GET":
            try CurlError.check(cshims_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case "HEAD":
            try CurlError.check(cshims_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
        default:
            if request.method != "POST" {
                try CurlError.check(cshims_curl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, request.method))
            }
            // COPYPOSTFIELDS copies the bytes, so `request.body` need not outlive this call.
            try CurlError.check(
                cshims_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            try CurlError.check(cshims_curl_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, request.body))
        }
        // "Expect:" switches off curl's `Expect: 100-continue`, which costs a round trip (or a 1 s wait
        // with servers that never send 100) on every body over 1 KiB.
        for line in request.headers.map({ "\($0.0): \($0.1)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        try CurlError.check(cshims_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headerList))
        let me = Unmanaged.passUnretained(self).toOpaque()
        try CurlError.check(cshims_curl_setopt_write_callback(handle, curlWriteCallback))
        try CurlError.check(cshims_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, me))
        try CurlError.check(cshims_curl_setopt_header_callback(handle, curlHeaderCallback))
        try CurlError.check(cshims_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, me))
    }

    /// The outcome once curl reports the transfer done with `code`.
    func result(_ code: CURLcode) -> Result<CurlResponse, CurlError> {
        if tooLarge {
            return .failure(
                CurlError(kind: .responseTooLarge, message: "response body larger than \(maxResponseBytes) bytes"))
        }
        do {
            try CurlError.check(code, message: String(cString: errorBuffer))
            var status = 0
            try CurlError.check(cshims_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status))
            return .success(CurlResponse(status: status, headers: headers, body: body))
        } catch {
            return .failure(error)
        }
    }

    /// Frees the handle and everything it points to; call after removing it from the multi handle.
    func release() {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        headerList = nil
        errorBuffer.deallocate()
    }

    fileprivate func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= maxResponseBytes else {
            tooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    fileprivate func headerLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingSuffix()
        if line.hasPrefix("HTTP/") {
            headers = []  // A new status line: an interim (1xx) or redirect response's headers are dropped.
        } else if let colon = line.firstIndex(of: ":") {
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.append((String(line[..<colon]), String(value)))
        }
    }
}

extension String {
    fileprivate func trimmingSuffix() -> String {
        var text = Substring(self)
        while let last = text.last, last == "\r\n" || last == "\n" || last == "\r" || last == " " { text.removeLast() }
        return String(text)
    }
}

/// curl's write callback: appends to the transfer's body, or refuses (→ `CURLE_WRITE_ERROR`) past the cap.
private let curlWriteCallback:
    @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int =
        { pointer, size, count, userData in
            guard let userData else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userData).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: pointer, count: size * count)
            return transfer.append(bytes) ? size * count : 0
        }

/// curl's header callback: one header line per call, status lines included.
private let curlHeaderCallback:
    @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int =
        { pointer, size, count, userData in
            guard let userData else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userData).takeUnretainedValue()
            transfer.headerLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
            return size * count
        }
