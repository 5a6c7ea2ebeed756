using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project bench/Pipelock.Bench -- --filter '*'
// Results go to BenchmarkDotNet.Artifacts/; scripts/bench.sh copies the summary into docs/benchmarks.md.
// Batch baseline for bench/jsonl-load.sh: dotnet run -c Release --project bench/Pipelock.Bench -- --batch-baseline dlp FILE
if (args is ["--batch-baseline", var kind, var path]) return Pipelock.Bench.BatchBaseline.Run(kind, path);
BenchmarkSwitcher.FromAssembly(typeof(Pipelock.Bench.BenchData).Assembly).Run(args);
return 0;
