using System.Text;
using Pipelock.Agent.Cli;

// Buffered UTF-8 stdout (JSONL output is written as raw UTF-8 bytes through it); stderr stays autoflushed.
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
try
{
    return PipelockCli.Run(args, new CliEnvironment(stdout, stderr, ScanServices.CreateScanner));
}
catch (Exception e)
{
    // PipelockCli.Run already handles everything it can; this is the last line of defence (e.g. a broken pipe on flush).
    stderr.WriteLine("pipelock: unexpected error: " + e.Message);
    if (Environment.GetEnvironmentVariable("PIPELOCK_DEBUG") == "1") stderr.WriteLine(e);
    return ExitCodes.Error;
}
finally
{
    try { stdout.Flush(); } catch (IOException) { }
}
