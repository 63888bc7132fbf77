using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace DeepResearcher.Cli.Commands;

/// <summary>
/// Command-line parse errors in the style of the commands' own usage errors: each error on one line first, then one
/// line saying where the help is, exit code 2 (System.CommandLine would print the whole help before the error and exit 1).
/// </summary>
internal static partial class ParseErrors
{
    public static async Task<int> WriteAsync(ParseResult parse, TextWriter error)
    {
        foreach (ParseError parseError in parse.Errors)
        {
            await error.WriteLineAsync("error: " + Plain(parseError.Message, ValueTypeOf(parseError.SymbolResult)) + Suggestion(parseError.Message, parse.CommandResult.Command));
        }

        await error.WriteLineAsync($"run '{CommandPath(parse.CommandResult)} --help' for usage");
        return CommandErrors.BadInput;
    }

    /// <summary>
    /// The message with .NET type names said in words ("as expected type 'System.Int32'" → "as a whole number"), and an
    /// enum's values on the same line instead of one per line after "Did you mean".
    /// </summary>
    internal static string Plain(string message, Type? valueType)
    {
        Type? type = valueType is null ? null : Nullable.GetUnderlyingType(valueType) ?? valueType;
        int suggestions = message.IndexOf(" Did you mean", StringComparison.Ordinal);
        if (suggestions >= 0)
        {
            message = message[..suggestions];
        }

        message = ExpectedType().Replace(message, _ => "as " + TypeInWords(type));
        return message;
    }

    /// <summary>" Did you mean --limit?" after an unknown option that is a near miss of one of the command's.</summary>
    internal static string Suggestion(string message, Command command)
    {
        Match unknown = UnknownToken().Match(message);
        if (!unknown.Success || !unknown.Groups[1].Value.StartsWith('-'))
        {
            return string.Empty;
        }

        string token = unknown.Groups[1].Value;
        string[] near =
        [
            .. command.Options.Select(o => o.Name)
                .Where(name => name.StartsWith("--", StringComparison.Ordinal) && Distance(name, token) <= Math.Max(2, token.Length / 4))
                .OrderBy(name => Distance(name, token)).ThenBy(name => name, StringComparer.Ordinal)
                .Take(3),
        ];
        return near.Length == 0 ? string.Empty : $" Did you mean {string.Join(" or ", near)}?";
    }

    private static int Distance(string a, string b)
    {
        // Levenshtein distance, two rows.
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static Type? ValueTypeOf(SymbolResult? symbol) => symbol switch
    {
        OptionResult option => option.Option.ValueType,
        ArgumentResult argument => argument.Argument.ValueType,
        _ => null,
    };

    private static string TypeInWords(Type? type) => type switch
    {
        null => "the expected type",
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
        _ when type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort) || type == typeof(byte) => "a whole number ≥ 0",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
        _ when type == typeof(bool) => "true or false",
        { IsEnum: true } => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => "a " + type.Name.ToLowerInvariant(),
    };

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.Add(command.Command is RootCommand ? "deepresearcher" : command.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    [GeneratedRegex(@"^Unrecognized command or argument '(.+)'\.$")]
    private static partial Regex UnknownToken();

    [GeneratedRegex(@"as expected type '.*?'(?=\.|$)")]
    private static partial Regex ExpectedType();
}
