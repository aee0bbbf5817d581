/// The release this source tree is (semantic versioning); `backingd --version` adds the git commit.
enum BackingdVersion {
    static let number = "0.13.0"
    /// `backingd 0.13.0 (commit 1a2b3c4d5e6f)`; `-dirty` marks a build from a tree with uncommitted changes.
    static var description: String { "backingd \(number) (commit \(BuildInfo.commit))" }
}
