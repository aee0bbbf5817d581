// A server for `Benchmarks/http-bench.sh`: `backingd-http-bench <bare|swift|swift-inline> [port] [threads]`
// serves POST /echo → {"len":N} on 127.0.0.1, either straight from the libmicrohttpd callback (`bare`, the
// baseline) or through HTTPServer's full path (`swift`: the Router, a handler on Swift's thread pool, the
// connection suspended and resumed; `swift-inline`: the same route added with `inline: true`, answered on
// libmicrohttpd's thread when the handler does not suspend), prints `listening <port>` and runs until killed.
import Glibc
import HTTPServer
import Logging

let arguments = CommandLine.arguments
let mode = arguments.count > 1 ? arguments[1] : "swift"
let requestedPort = arguments.count > 2 ? UInt16(arguments[2]) ?? 0 : 0
let threads = arguments.count > 3 ? Int(arguments[3]) ?? 4 : 4

/// Prints the port unbuffered (stdout to a file is block-buffered, and the script reads it at once).
func announce(_ port: UInt16) {
    let line = Array("listening \(port)\n".utf8)
    _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

var logger = Logger(label: "backingd-http-bench")
logger.logLevel = .warning

/// Kept here so that it lives until the process is killed.
var server: HTTPServer?

// This server must stop when its parent terminates it, but a child inherits its parent's ignored signals
// (backingd ignores SIGTERM to handle it through Dispatch) and the spawning thread's signal mask
// (Foundation's `Process` spawns from a Dispatch thread that blocks nearly every signal).
signal(SIGTERM, SIG_DFL)
signal(SIGINT, SIG_DFL)
var unblocked = sigset_t()
sigemptyset(&unblocked)
pthread_sigmask(SIG_SETMASK, &unblocked, nil)

switch mode {
case "bare":
    guard let port = BareMHD.start(port: requestedPort, threads: threads) else { fatalError("cannot listen") }
    announce(port)
case "swift", "swift-inline":
    var router = Router(logger: logger)
    router.add(.post, "/echo", inline: mode == "swift-inline") { request in .json(["len": request.body.count]) }
    let started = HTTPServer(
        configuration: HTTPServerConfiguration(port: requestedPort, threadPoolSize: threads), responder: router,
        logger: logger)
    try started.start()
    announce(started.port)
    server = started
default:
    fatalError("usage: backingd-http-bench <bare|swift|swift-inline> [port] [threads]")
}
// The main thread blocks in `pause()` rather than parking in an async main: valgrind 3.19 crashes on the
// `sigsuspend` that an async main's dispatch loop waits in, and this binary is what gets profiled.
while true { pause() }
