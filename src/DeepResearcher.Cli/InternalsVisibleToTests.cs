using System.Runtime.CompilerServices;

// The console renderers (progress bar, log lines) are tested directly, without a terminal.
[assembly: InternalsVisibleTo("DeepResearcher.Cli.Tests")]
