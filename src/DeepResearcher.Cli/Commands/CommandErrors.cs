using DeepResearcher.ChatModels;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Cli.Commands;

/// <summary>Turns the errors a user can fix into one clear line and exit code 2, instead of a stack trace.</summary>
internal static class CommandErrors
{
    public const int BadInput = 2;

    public static async Task<int> RunAsync(TextWriter error, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception ex) when (ex is DataFileException or ChatModelException or ArgumentException or FileNotFoundException
                                       or DirectoryNotFoundException or InvalidDataException or UsageException
                                       or InvalidWorldDirectoryException or InvalidOperationException or CheckpointFormatException
                                       or DeepResearcher.Recipes.Configuration.ConfigException
                                       or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync("error: " + MessageOf(ex));
            return BadInput;
        }
    }

    /// <summary>The message without the " (Parameter 'name')" that .NET appends to an argument exception's.</summary>
    public static string MessageOf(Exception ex)
        => ex is ArgumentException { ParamName: { } name } argument
            ? argument.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
            : ex.Message;
}
