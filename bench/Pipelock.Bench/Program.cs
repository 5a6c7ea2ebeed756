using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project bench/Pipelock.Bench -- --filter '*'
// Results go to BenchmarkDotNet.Artifacts/; scripts/bench.sh copies the summary into docs/benchmarks.md.
// Batch baseline for bench/jsonl-load.sh: dotnet run -c Release --project bench/Pipelock.Bench -- --batch-baseline dlp FILE
if (args is ["--batch-baseline", var kind, var path]) return Pipelock.Bench.BatchBaseline.Run(kind, path);
// Forward-proxy load for bench/proxy-load.sh: --proxy-load AGENT_BINARY SECONDS CONCURRENCY OUT.md
if (args is ["--proxy-load", var agent, var seconds, var concurrency, var outFile])
    return await Pipelock.Bench.ProxyLoad.RunAsync(agent, int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(concurrency, System.Globalization.CultureInfo.InvariantCulture), outFile);
BenchmarkSwitcher.FromAssembly(typeof(Pipelock.Bench.BenchData).Assembly).Run(args);
return 0;
