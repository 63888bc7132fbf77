using System.Globalization;
using System.Runtime.InteropServices;

namespace DeepResearcher.Core.Machine;

/// <summary>
/// The processor a run was timed on, as <c>lscpu</c> names it: timings differ twofold between CPUs that compute the
/// same figures to the digit, so a time means something only with its CPU.
/// </summary>
public static class CpuModel
{
    private const string CpuInfoPath = "/proc/cpuinfo";

    /// <summary>This machine's CPU model and logical CPU count, e.g. "AMD EPYC 9B14 (2 logical CPUs)".</summary>
    public static async Task<string> DescribeAsync(CancellationToken cancellationToken)
    {
        string name = await NameAsync(cancellationToken);
        return string.Create(CultureInfo.InvariantCulture, $"{name} ({Environment.ProcessorCount} logical CPU{(Environment.ProcessorCount == 1 ? string.Empty : "s")})");
    }

    /// <summary>The "model name" of /proc/cpuinfo on Linux; elsewhere, or when it has none (many ARM kernels), "unknown ARCH CPU".</summary>
    public static async Task<string> NameAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsLinux() && File.Exists(CpuInfoPath))
        {
            try
            {
                if (FromCpuInfo(await File.ReadAllTextAsync(CpuInfoPath, cancellationToken)) is { } name)
                {
                    return name;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A sandbox that hides /proc: the time is still worth printing, with the CPU unknown.
            }
        }

        return $"unknown {RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()} CPU";
    }

    /// <summary>The first processor's "model name" in the text of /proc/cpuinfo, whitespace collapsed; null when there is none.</summary>
    public static string? FromCpuInfo(string cpuInfo)
    {
        foreach (string line in cpuInfo.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !line[..colon].Trim().Equals("model name", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string name = string.Join(' ', line[(colon + 1)..].Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries));
            if (name.Length > 0)
            {
                return name;
            }
        }

        return null;
    }
}
