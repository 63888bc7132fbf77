using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace DeepResearcher.Cli.Commands;

/// <summary>
/// What every command's help shows beyond System.CommandLine's defaults: placeholders that say what a value is
/// (&lt;DIR&gt;, &lt;URL&gt;, &lt;N&gt;… instead of the option's own name) and an Examples section. Applied to the
/// whole tree at once, so a new option gets a placeholder without anyone remembering to set one.
/// </summary>
internal static class CommandHelp
{
    /// <summary>Examples by command path ("" is the root); a test checks that every command has one.</summary>
    internal static readonly IReadOnlyDictionary<string, string[]> Examples = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [""] = ["deepresearcher train", "deepresearcher eval run --help"],
        ["research"] =
        [
            "deepresearcher research \"Who founded the company that distributed UHF?\" --model-url http://127.0.0.1:8000/v1 --model GAIR/DeepResearcher-7b --search auto",
            "deepresearcher research \"QUESTION\" --checkpoint runs/offline-tiny/checkpoint --world runs/offline-tiny/world --search local",
            "deepresearcher research \"QUESTION\" --model-url http://127.0.0.1:8000/v1 --model runs/offline-tiny/checkpoint --agent-settings runs/offline-tiny/checkpoint --world runs/offline-tiny/world --search local",
        ],
        ["eval"] = ["deepresearcher eval run --data W/questions/test.jsonl --expert W --out runs/expert"],
        ["eval score"] =
        [
            "deepresearcher eval score --data data/deepresearcher_dev.jsonl --predictions predictions.jsonl",
            "deepresearcher eval score --data DeepResearcher/data/test.parquet --predictions predictions.jsonl",
        ],
        ["eval run"] =
        [
            "deepresearcher eval run --data W/questions/test.jsonl --checkpoint runs/offline-tiny/checkpoint --world W --out runs/eval",
            "deepresearcher eval run --data data/deepresearcher_dev.jsonl --model-url http://127.0.0.1:8000/v1 --model M --search auto --out runs/dev",
        ],
        ["eval judge"] = ["deepresearcher eval judge runs/dev --judge-url https://api.openai.com/v1 --judge-model gpt-4o-mini"],
        ["world"] = ["deepresearcher world build --out W --size tiny"],
        ["world build"] = ["deepresearcher world build --out W --size small --seed 42"],
        ["world serve"] = ["deepresearcher world serve W --port 8080"],
        ["world demo"] = ["deepresearcher world demo W --split test --out demos.jsonl"],
        ["tools"] = ["deepresearcher tools serve --port 5000 --search auto --cache tools.db"],
        ["tools serve"] =
        [
            "deepresearcher tools serve --port 5000 --world W --search local",
            "deepresearcher tools serve --port 5000 --search auto --cache tools.db --mcp",
            "deepresearcher tools serve --world W --mcp-stdio",
        ],
        ["serve"] = ["deepresearcher serve model runs/offline-tiny/checkpoint --port 8000"],
        ["serve model"] =
        [
            "deepresearcher serve model runs/offline-tiny/checkpoint --port 8000",
            "deepresearcher serve model BASE_DIR --adapter mine=runs/lora/adapter --api-key-env DR_API_KEY --host 0.0.0.0",
            "curl http://127.0.0.1:8000/v1/chat/completions -H 'Content-Type: application/json' -d '{\"model\": \"runs/offline-tiny/checkpoint\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}'",
        ],
        ["serve training"] =
        [
            "deepresearcher serve training --base-model runs/offline-tiny/checkpoint --state-dir runs/tinker-state --port 8100",
            "deepresearcher serve training --base-model qwen=models/Qwen2.5-0.5B --state-dir /var/lib/dr-tinker --api-key-env DR_TINKER_KEY --host 0.0.0.0",
        ],
        ["data"] = ["deepresearcher data filter --data D.jsonl --no-quality --no-contamination --mix nq=1,hotpotqa=3 --mix-total 100 --out mix.jsonl"],
        ["data export"] =
        [
            "deepresearcher data export --data data/deepresearcher_dev.jsonl --split dev --out dev.parquet",
            "deepresearcher data export --data W/questions/train.jsonl --split train --format parquet --out train.parquet",
        ],
        ["data filter"] = ["deepresearcher data filter --data D.jsonl --model-url http://127.0.0.1:8000/v1 --model Qwen2.5-7B-Instruct --mix nq=1,tq=1,hotpotqa=3,2wiki=3 --out kept.jsonl"],
        ["model"] = ["deepresearcher model info CHECKPOINT_DIR"],
        ["model info"] = ["deepresearcher model info runs/offline-tiny/checkpoint"],
        ["model generate"] = ["deepresearcher model generate CHECKPOINT_DIR --prompt \"The capital of France is\" --max-tokens 20"],
        ["model tokenize"] = ["deepresearcher model tokenize CHECKPOINT_DIR \"Hello, world\""],
        ["train"] =
        [
            "deepresearcher train --out runs/offline-tiny",
            "deepresearcher train --config my.yaml --print-config",
            "deepresearcher train --config my.yaml --train-files train.parquet --val-files test.parquet",
            "deepresearcher train --out runs/offline-tiny --serve-report 8050 --otlp-endpoint http://127.0.0.1:4318",
        ],
        ["report"] = ["deepresearcher report runs/offline-tiny/run", "deepresearcher report runs/offline-tiny/run --serve --port 8050"],
    };

    public static void ApplyTo(RootCommand root)
    {
        foreach (Command command in All(root))
        {
            foreach (Option option in command.Options)
            {
                option.HelpName ??= Placeholder(option);
            }

            foreach (Argument argument in command.Arguments)
            {
                argument.HelpName ??= argument.Name.Replace('-', '_').ToUpperInvariant();
            }
        }

        HelpOption help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction action)
        {
            help.Action = new HelpWithExamples(action);
        }
    }

    /// <summary>Every command of the tree, the root included.</summary>
    internal static IEnumerable<Command> All(Command command)
    {
        yield return command;
        foreach (Command sub in command.Subcommands.SelectMany(All))
        {
            yield return sub;
        }
    }

    /// <summary>"world build" for that command; "" for the root.</summary>
    internal static string PathOf(Command command)
    {
        var names = new List<string>();
        for (Command? current = command; current is not null and not RootCommand; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Add(current.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>System.CommandLine's help, then the command's examples.</summary>
    private sealed class HelpWithExamples(HelpAction help) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            int code = help.Invoke(parseResult);
            if (Examples.TryGetValue(PathOf(parseResult.CommandResult.Command), out string[]? examples))
            {
                TextWriter output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(examples.Length == 1 ? "Example:" : "Examples:");
                foreach (string example in examples)
                {
                    output.WriteLine("  " + example);
                }

                output.WriteLine();
            }

            return code;
        }
    }

    /// <summary>
    /// The placeholder of an option's value: what kind of thing it is (a directory, a URL, a count), not its name again.
    /// Flags have none; enums keep System.CommandLine's list of their values.
    /// </summary>
    private static string? Placeholder(Option option)
    {
        Type type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        string name = option.Name.TrimStart('-');
        return type switch
        {
            _ when option.Arity.MaximumNumberOfValues == 0 || type == typeof(bool) || type.IsEnum => null,
            _ when type == typeof(DirectoryInfo) => "DIR",
            _ when type == typeof(FileInfo) => "FILE",
            _ when name.Contains("timeout", StringComparison.Ordinal) => "SECONDS",
            _ when name == "port" => "PORT",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(ulong) => "N",
            _ when type == typeof(double) || type == typeof(float) => "X",
            _ when name.EndsWith("-url", StringComparison.Ordinal) || name.EndsWith("-endpoint", StringComparison.Ordinal) => "URL",
            _ when name.EndsWith("-env", StringComparison.Ordinal) => "VAR",
            _ when name == "model" || name.EndsWith("-model", StringComparison.Ordinal) || name is "name" or "preset" => "NAME",
            _ when name == "host" => "ADDRESS",
            _ when name == "search" => "PROVIDER",
            _ when name == "postgres-cache" => "CONNECTION_STRING",
            _ when name == "mix" => "SOURCE=RATIO,...",
            _ when name == "sources" => "SOURCE,...",
            _ => name.Replace('-', '_').ToUpperInvariant(),
        };
    }
}
