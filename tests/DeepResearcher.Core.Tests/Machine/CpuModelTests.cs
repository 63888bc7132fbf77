using DeepResearcher.Core.Machine;

namespace DeepResearcher.Core.Tests.Machine;

public sealed class CpuModelTests
{
    // Heads of /proc/cpuinfo as an AMD and an Intel server kernel write them (abridged; the second with CRLF line ends).
    private const string Epyc = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9B14\nstepping\t: 1\nflags\t\t: fpu avx512f\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9B14\n";
    private const string EmeraldRapids = "processor\t: 0\r\nvendor_id\t: GenuineIntel\r\nmodel\t\t: 207\r\nmodel name\t: INTEL(R) XEON(R) PLATINUM 8581C CPU @ 2.10GHz\r\n";

    [Theory]
    [InlineData(Epyc, "AMD EPYC 9B14")]
    [InlineData(EmeraldRapids, "INTEL(R) XEON(R) PLATINUM 8581C CPU @ 2.10GHz")]
    [InlineData("model name\t:   AMD   EPYC  \n", "AMD EPYC")]
    public void Reads_the_first_model_name(string cpuInfo, string expected)
        => Assert.Equal(expected, CpuModel.FromCpuInfo(cpuInfo));

    [Theory]
    [InlineData("")]
    [InlineData("processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n")] // an ARM kernel: no model name
    [InlineData("model name\t:\n")]
    [InlineData("model\t\t: 17\n")] // "model" is the family's model number, not its name
    public void Is_null_without_a_model_name(string cpuInfo)
        => Assert.Null(CpuModel.FromCpuInfo(cpuInfo));

    [Fact]
    public async Task Describes_this_machine_with_its_logical_cpu_count()
    {
        string description = await CpuModel.DescribeAsync(TestContext.Current.CancellationToken);

        Assert.EndsWith($"({Environment.ProcessorCount} logical CPU{(Environment.ProcessorCount == 1 ? string.Empty : "s")})", description, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", description, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux() && CpuModel.FromCpuInfo(await File.ReadAllTextAsync("/proc/cpuinfo", TestContext.Current.CancellationToken)) is { } name)
        {
            Assert.StartsWith(name + " (", description, StringComparison.Ordinal);
        }
    }
}
