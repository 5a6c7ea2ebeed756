using Pipelock.Agent.Operations;

namespace Pipelock.Agent.Tests.Operations;

public class KillSwitchTests
{
    [Theory]
    [InlineData(KillSwitchSource.Config)]
    [InlineData(KillSwitchSource.Api)]
    [InlineData(KillSwitchSource.Signal)]
    [InlineData(KillSwitchSource.Sentinel)]
    public void AnySource_ActivatesAndTripsTheToken(KillSwitchSource source)
    {
        using var ks = new KillSwitch();
        var token = ks.Tripped;
        Assert.False(ks.IsActive);

        Assert.True(ks.Set(source, true));

        Assert.True(ks.IsActive);
        Assert.True(token.IsCancellationRequested);
        Assert.Equal(source.ToString().ToLowerInvariant(), ks.ActiveSource());
        Assert.True(ks.Status()[source.ToString().ToLowerInvariant()]);
    }

    [Fact]
    public void SourcesAreOred_DeactivatingOneKeepsTheOther()
    {
        using var ks = new KillSwitch();
        ks.Set(KillSwitchSource.Api, true);
        ks.Set(KillSwitchSource.Sentinel, true);

        ks.Set(KillSwitchSource.Api, false);

        Assert.True(ks.IsActive);
        Assert.Equal("sentinel", ks.ActiveSource());
    }

    [Fact]
    public void AfterDeactivation_ANewTokenIsIssued()
    {
        using var ks = new KillSwitch();
        ks.Set(KillSwitchSource.Config, true);
        var tripped = ks.Tripped;

        ks.Set(KillSwitchSource.Config, false);

        Assert.True(tripped.IsCancellationRequested);
        Assert.False(ks.Tripped.IsCancellationRequested);
        Assert.False(ks.IsActive);
    }

    [Fact]
    public void Signal_Toggles()
    {
        using var ks = new KillSwitch();
        ks.ToggleSignal();
        Assert.True(ks.IsOn(KillSwitchSource.Signal));
        ks.ToggleSignal();
        Assert.False(ks.IsOn(KillSwitchSource.Signal));
    }

    [Fact]
    public void SettingTheSameValue_ReportsNoChange()
    {
        using var ks = new KillSwitch();
        int changes = 0;
        ks.Changed += (_, _) => changes++;

        Assert.False(ks.Set(KillSwitchSource.Api, false));
        Assert.True(ks.Set(KillSwitchSource.Api, true));
        Assert.False(ks.Set(KillSwitchSource.Api, true));
        Assert.Equal(1, changes);
    }

    [Fact]
    public async Task SentinelFile_ExistsMeansActive_RemovedMeansInactive()
    {
        var dir = Directory.CreateTempSubdirectory("pipelock-sentinel-");
        try
        {
            var path = Path.Combine(dir.FullName, "deny-all");
            using var ks = new KillSwitch();
            await using var watcher = new SentinelFileWatcher(ks, () => path, TimeSpan.FromHours(1));
            Assert.False(ks.IsActive);

            await File.WriteAllTextAsync(path, "");
            watcher.Check();
            Assert.True(ks.IsOn(KillSwitchSource.Sentinel));

            File.Delete(path);
            watcher.Check();
            Assert.False(ks.IsActive);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
