namespace Pipelock.Interceptor.Rules;

/// <summary>
/// Where this host mounts the cgroup v2 hierarchy relative to /sys/fs/cgroup, which is where nft resolves
/// <c>socket cgroupv2</c> paths (iptables' <c>-m cgroup --path</c> resolves against the v2 root itself).
/// </summary>
public static class CgroupV2
{
    /// <summary>"" on a unified host, "unified/" on a hybrid (v1 + v2) host, null when there is no v2 hierarchy.</summary>
    public static string? NftPrefix(string sysFsCgroup = "/sys/fs/cgroup")
    {
        if (File.Exists(Path.Combine(sysFsCgroup, "cgroup.controllers"))) return "";
        if (File.Exists(Path.Combine(sysFsCgroup, "unified", "cgroup.controllers"))) return "unified/";
        return null;
    }
}
