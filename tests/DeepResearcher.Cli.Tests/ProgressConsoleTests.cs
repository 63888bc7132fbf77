using DeepResearcher.Cli.Commands;
using DeepResearcher.Recipes.Pipeline;

namespace DeepResearcher.Cli.Tests;

public class ProgressConsoleTests
{
    [Fact]
    public void On_a_terminal_a_bar_redraws_under_the_log_lines_and_ends_with_its_stage()
    {
        var error = new StringWriter();
        var console = new ProgressConsole(error, isTerminal: true);

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
        var console = new ProgressConsole(error, isTerminal: false);

        console.Report(new TrainingProgress("grpo", 3, 24));
        console.Report("grpo step 3/24: reward -0.300");

        Assert.DoesNotContain("\r", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("grpo step 3/24", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Redirected_output_gets_a_progress_line_every_tenth_of_the_stage_and_at_the_end()
    {
        var error = new StringWriter();
        var console = new ProgressConsole(error, isTerminal: false) { PlainInterval = TimeSpan.FromHours(1) };

        console.Report(new ProgressUpdate("eval", 0, 95, "question"));
        for (int done = 1; done <= 95; done++)
        {
            console.Report(new ProgressUpdate("eval", done, 95, "question", "F1 50.0"));
        }

        string[] lines = error.ToString().TrimEnd().Split(Environment.NewLine);
        // Every 9 questions (a tenth of 95, rounded down), and the last.
        Assert.Equal(11, lines.Length);
        Assert.Matches(@"^\[ *[0-9.]+s\] eval 9/95 \(9 %\) [0-9.]+ s/question, [0-9:]+ left F1 50.0$", lines[0]);
        Assert.EndsWith("eval 95/95 (100 %) F1 50.0", lines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("\r", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Redirected_output_also_gets_a_line_when_the_interval_has_passed()
    {
        var error = new StringWriter();
        var console = new ProgressConsole(error, isTerminal: false) { PlainInterval = TimeSpan.Zero };

        console.Report(new ProgressUpdate("demo", 0, 1000, "question"));
        console.Report(new ProgressUpdate("demo", 1, 1000, "question"));
        console.Report(new ProgressUpdate("demo", 2, 1000, "question"));
        console.Report(new ProgressUpdate("demo", 2, 1000, "question"));

        // The same count twice is one line: the stage did not advance.
        Assert.Equal(2, error.ToString().TrimEnd().Split(Environment.NewLine).Length);
    }

    [Fact]
    public void On_a_terminal_the_bar_shows_the_rate_and_the_time_left_in_the_stage_unit()
    {
        var error = new StringWriter();
        var console = new ProgressConsole(error, isTerminal: true);

        console.Report(new ProgressUpdate("eval", 0, 10, "question"));
        Thread.Sleep(20);
        console.Report(new ProgressUpdate("eval", 5, 10, "question", "F1 40.0"));

        Assert.Matches(@"eval  \[#{15}\.{15}\] 5/10 [0-9.]+ s/question, 00:00 left F1 40.0", error.ToString());
    }
}
