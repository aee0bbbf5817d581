// Prints benchmark figures; build with `-c release` for meaningful numbers.
await CryptoBenchmarks.run()
