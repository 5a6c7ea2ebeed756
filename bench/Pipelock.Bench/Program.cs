using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project bench/Pipelock.Bench -- --filter '*'
// Results go to BenchmarkDotNet.Artifacts/; scripts/bench.sh copies the summary into docs/benchmarks.md.
// Batch baseline for bench/jsonl-load.sh: dotnet run -c Release --project bench/Pipelock.Bench -- --batch-baseline dlp FILE
if (args is ["--batch-baseline", var kind, var path]) return Pipelock.Bench.BatchBaseline.Run(kind, path);
// Forward-proxy load for bench/proxy-load.sh: --proxy-load AGENT_BINARY SECONDS CONCURRENCY OUT.md
if (args is ["--proxy-load", var agent, var seconds, var concurrency, var outFile])
    return await Pipelock.Bench.ProxyLoad.RunAsync(agent, int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(concurrency, System.Globalization.CultureInfo.InvariantCulture), outFile);
// Transparent interception load for bench/transparent-load.sh (the script builds the namespaces; see TransparentLoad.cs).
static int Int(string s) => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
if (args is ["--tls-upstream", var cert, var key, var ports, var maxSeconds])
    return await Pipelock.Bench.TransparentLoad.RunUpstreamAsync(cert, key, ports.Split(',').Select(Int).ToArray(), Int(maxSeconds));
if (args is ["--transparent-load", var host, var captured, var directPort, var bundle, var pid, var secs, var conc, var idle, var outMd, var note])
    return await Pipelock.Bench.TransparentLoad.RunClientAsync(host, Int(captured), Int(directPort), bundle, Int(pid), Int(secs), Int(conc), Int(idle), outMd, note);
BenchmarkSwitcher.FromAssembly(typeof(Pipelock.Bench.BenchData).Assembly).Run(args);
return 0;
