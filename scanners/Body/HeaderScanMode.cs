namespace Pipelock.Scanners.Body;

/// <summary><c>request_body_scanning.header_mode</c>.</summary>
public enum HeaderScanMode
{
    /// <summary>Only <see cref="BodyOptions.SensitiveHeaders"/> (default).</summary>
    Sensitive = 0,
    /// <summary>Every header except <see cref="BodyOptions.IgnoreHeaders"/>.</summary>
    All = 1,
}
