using System.Diagnostics;

namespace DeepResearcher.Web.Fetching;

/// <summary>PDF to text through Debian's <c>pdftotext</c> (poppler-utils), when it is installed.</summary>
public sealed record PdfText(string? Text, string? Error)
{
    public static string? FindTool()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            string candidate = Path.Combine(dir, "pdftotext");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static async Task<PdfText> ExtractAsync(byte[] pdf, CancellationToken cancellationToken)
    {
        string? tool = FindTool();
        if (tool is null)
        {
            return new PdfText(null, "this page is a PDF and pdftotext is not installed (apt-get install poppler-utils)");
        }

        string input = Path.Combine(Path.GetTempPath(), $"dr-{Guid.NewGuid():N}.pdf");
        try
        {
            await File.WriteAllBytesAsync(input, pdf, cancellationToken);
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-enc");
            start.ArgumentList.Add("UTF-8");
            start.ArgumentList.Add(input);
            start.ArgumentList.Add("-");
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("pdftotext did not start");
            Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return process.ExitCode == 0
                ? new PdfText(await output, null)
                : new PdfText(null, $"pdftotext could not read this PDF: {(await errors).Trim()}");
        }
        finally
        {
            File.Delete(input);
        }
    }
}
