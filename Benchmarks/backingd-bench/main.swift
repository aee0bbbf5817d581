// Prints benchmark figures; build with `-c release` for meaningful numbers.
ErasureBenchmarks.run()
await CryptoBenchmarks.run()
