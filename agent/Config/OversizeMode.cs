namespace Pipelock.Agent.Config;

/// <summary>
/// What happens to a body larger than its buffer limit (<c>response_scanning.oversize</c>,
/// <c>request_body_scanning.oversize</c>; our extension of Pipelock's config).
/// </summary>
public enum OversizeMode
{
    /// <summary>Refuse it unscanned (Pipelock's fail-closed contract; the default).</summary>
    Block,

    /// <summary>Scan it in overlapping windows as it flows and forward only bytes already scanned; a finding cuts the transfer.</summary>
    Stream,
}
