namespace Pipelock.Agent.Config;

/// <summary><c>cross_request_detection.fragment_reassembly</c>.</summary>
public sealed record FragmentReassemblyConfig
{
    public bool Enabled { get; init; }
    public int MaxBufferBytes { get; init; } = 65536;
    public int WindowMinutes { get; init; } = 5;
}
