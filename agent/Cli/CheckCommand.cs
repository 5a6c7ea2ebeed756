using System.CommandLine;

namespace Pipelock.Agent.Cli;

/// <summary>
/// <c>pipelock check</c>: validate a config (<c>--config F</c> alone), or scan one input (<c>--url</c>, <c>--text</c>,
/// <c>--file</c>) or a JSONL batch (<c>--jsonl</c>). Exit 0 valid/clean, 1 findings, 2 invalid config or bad input.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliEnvironment env)
    {
        var config = new Option<string?>("--config", "-c") { Description = "Pipelock YAML config (alone: validate it; with an input: scan with it)" };
        var url = new Option<string?>("--url") { Description = "Scan one URL through the URL pipeline" };
        var text = new Option<string?>("--text") { Description = "Scan a text given on the command line" };
        var file = new Option<string?>("--file") { Description = "Scan a file's content (- = stdin; gzip accepted)" };
        var jsonl = new Option<string?>("--jsonl") { Description = "Batch: one {\"id\",\"text\",\"where\"?} record per line (- = stdin; gzip accepted); one result line per record" };
        var kind = new Option<string?>("--kind") { Description = "Scanner family: " + string.Join(", ", CarrierNames.KindWords) + " (default: url for --url, all otherwise)" };
        kind.AcceptOnlyFromAmong([.. CarrierNames.KindWords]);
        kind.HelpName = "kind";
        var where = new Option<string?>("--where") { Description = "Where the text was found: " + string.Join(", ", CarrierNames.CarrierWords) + " (default: url for --url, text otherwise)" };
        where.AcceptOnlyFromAmong([.. CarrierNames.CarrierWords]);
        where.HelpName = "where";
        var json = new Option<bool>("--json") { Description = "Print findings as JSON" };

        var cmd = new Command("check", "Validate a config, or scan a URL, text, file or JSONL batch for findings")
        {
            config, url, text, file, jsonl, kind, where, json,
        };
        cmd.SetAction(pr =>
        {
            var inputs = new[] { ("--url", pr.GetValue(url)), ("--text", pr.GetValue(text)), ("--file", pr.GetValue(file)), ("--jsonl", pr.GetValue(jsonl)) }
                .Where(i => i.Item2 is not null).ToList();
            var configPath = pr.GetValue(config);
            if (inputs.Count > 1)
                return Usage(env, "give only one of " + string.Join(", ", inputs.Select(i => i.Item1)));
            if (inputs.Count == 0)
                return configPath is null ? Usage(env, "nothing to check: give --config, --url, --text, --file or --jsonl") : ValidateConfig(env, configPath);

            var cfg = ConfigReporter.Load(configPath, env);
            if (cfg is null) return ExitCodes.Error;
            var scanner = env.ScannerFactory(cfg);
            var (flag, value) = inputs[0];
            var isUrl = flag == "--url";
            var scanKind = CarrierNames.ParseKind(pr.GetValue(kind) ?? (isUrl ? "url" : "all"));
            Carrier carrier = isUrl ? Carrier.Url : Carrier.Text;
            if (pr.GetValue(where) is { } w) CarrierNames.TryParseCarrier(w, out carrier);

            if (flag == "--jsonl") return RunBatch(env, scanner, scanKind, value!);

            string input;
            try
            {
                input = flag == "--file" ? InputFiles.ReadAllText(value!, env) : value!;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                env.Err.WriteLine($"error: cannot read {value}: {e.Message}");
                return ExitCodes.Error;
            }
            var verdict = scanner.Scan(scanKind, carrier, input);
            if (pr.GetValue(json)) FindingFormatter.WriteJson(env.Out, verdict, scanKind, carrier);
            else FindingFormatter.WriteText(env.Out, verdict);
            return verdict.IsClean ? ExitCodes.Ok : ExitCodes.Findings;
        });
        return cmd;
    }

    private static int ValidateConfig(CliEnvironment env, string path)
    {
        var cfg = ConfigReporter.Load(path, env);
        if (cfg is null) return ExitCodes.Error;
        env.Out.WriteLine($"{path}: valid (mode {cfg.Mode.ToString().ToLowerInvariant()}, enforce {(cfg.Enforce ? "on" : "off")})");
        return ExitCodes.Ok;
    }

    private static int RunBatch(CliEnvironment env, ICarrierScanner scanner, ScanKind kind, string path)
    {
        JsonlSummary summary;
        try
        {
            using var input = InputFiles.Open(path, env);
            summary = new JsonlBatchRunner(scanner, kind).Run(input, env.Out, env.Err);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            env.Err.WriteLine($"error: cannot read {path}: {e.Message}");
            return ExitCodes.Error;
        }
        env.Err.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"check: {summary.Records} records, {summary.Flagged} flagged, {summary.BadLines} bad lines, {summary.Elapsed.TotalSeconds:F2}s, {summary.MegabytesPerSecond:F1} MB/s"));
        // Findings are in the per-record output; the exit code only says whether every line could be processed.
        return summary.BadLines > 0 ? ExitCodes.Error : ExitCodes.Ok;
    }

    private static int Usage(CliEnvironment env, string message)
    {
        env.Err.WriteLine("error: " + message);
        env.Err.WriteLine("Run 'pipelock check --help' for usage.");
        return ExitCodes.Error;
    }
}
