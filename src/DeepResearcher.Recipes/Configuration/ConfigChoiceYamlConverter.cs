using DeepResearcher.Core.Rewards;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace DeepResearcher.Recipes.Configuration;

/// <summary>
/// Reads and writes the enum-valued keys by their <see cref="ConfigChoices"/> names, and <c>reward.metric_rules</c> as
/// the list of rule names. A name that is not a choice reads as the enum's default: the file's names are checked
/// before binding (<see cref="TrainingConfigFile"/>), so such a config is refused with the key and the allowed values.
/// </summary>
internal sealed class ConfigChoiceYamlConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(MetricRules) || ConfigChoices.For(type) is not null;

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        if (type == typeof(MetricRules))
        {
            var names = new List<string>();
            if (parser.TryConsume<SequenceStart>(out _))
            {
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    names.Add(parser.Consume<Scalar>().Value);
                }
            }
            else
            {
                names.Add(parser.Consume<Scalar>().Value);
            }

            try
            {
                return MetricRuleNames.Parse(names);
            }
            catch (FormatException)
            {
                return MetricRules.None;
            }
        }

        IConfigChoice choice = ConfigChoices.For(type)!;
        if (parser.TryConsume<Scalar>(out Scalar? scalar))
        {
            return choice.TryParse(scalar.Value, out object value) ? value : Activator.CreateInstance(type);
        }

        parser.SkipThisAndNestedEvents();
        return Activator.CreateInstance(type);
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer)
    {
        if (type == typeof(MetricRules))
        {
            emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Any));
            foreach (string name in MetricRuleNames.Format((MetricRules)value!))
            {
                emitter.Emit(new Scalar(name));
            }

            emitter.Emit(new SequenceEnd());
            return;
        }

        emitter.Emit(new Scalar(ConfigChoices.For(type)!.Name(value!)));
    }
}
