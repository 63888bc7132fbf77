using System.CommandLine;

namespace DeepResearcher.Cli.Commands;

/// <summary>Range checks on option values, reported as parse errors (one line each, exit 2) before any work starts.</summary>
internal static class OptionRules
{
    /// <summary>Adds a check that <paramref name="option"/>'s value satisfies <paramref name="valid"/>, else <paramref name="message"/>.</summary>
    public static void Require<T>(Option<T> option, Func<T, bool> valid, string message)
    {
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                // A value of the wrong type: the parser reports that itself, in words.
                return;
            }

            if (!valid(value))
            {
                result.AddError(message);
            }
        });
    }
}
