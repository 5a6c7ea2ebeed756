using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project bench/Pipelock.Bench -- --filter '*'
// Results go to BenchmarkDotNet.Artifacts/; scripts/bench.sh copies the summary into docs/benchmarks.md.
BenchmarkSwitcher.FromAssembly(typeof(Pipelock.Bench.BenchData).Assembly).Run(args);
