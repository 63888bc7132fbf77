using DeepResearcher.Cli.Commands;
using DeepResearcher.Training.Pipeline;

namespace DeepResearcher.Cli.Tests;

public class TrainingConsoleTests
{
    [Fact]
    public void On_a_terminal_a_bar_redraws_under_the_log_lines_and_ends_with_its_stage()
    {
        var error = new StringWriter();
        var console = new TrainingConsole(error, isTerminal: true);

        console.Report(new TrainingProgress("sft", 1, 4, "loss 2.000"));
        console.Report("a log line");
        console.Report(new TrainingProgress("sft", 4, 4, "loss 1.000"));

        string text = error.ToString();
        Assert.Contains("\r\u001b[2Ksft   [########......................] 1/4", text, StringComparison.Ordinal);
        // The log line clears the bar, prints, and the bar comes back under it.
        Assert.Matches(@"\r\u001b\[2K\[ *[0-9.]+s\] a log line\n" + "sft   \\[", text);
        Assert.Contains("4/4", text, StringComparison.Ordinal);
        Assert.EndsWith("loss 1.000" + Environment.NewLine, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Redirected_output_gets_the_log_lines_only()
    {
        var error = new StringWriter();
        var console = new TrainingConsole(error, isTerminal: false);

        console.Report(new TrainingProgress("grpo", 3, 24));
        console.Report("grpo step 3/24: reward -0.300");

        Assert.DoesNotContain("\r", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("grpo step 3/24", error.ToString(), StringComparison.Ordinal);
    }
}
