using System.Text.Encodings.Web;
using System.Text.Json;
using DeepResearcher.World.Generation;

namespace DeepResearcher.World.Storage;

/// <summary>Serialises a <see cref="FictionalWorld"/> to world.json and back, with a fixed field order so output is byte-stable.</summary>
public static class WorldJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static byte[] Serialize(FictionalWorld world)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("seed", world.Seed);
            w.WriteString("size", WorldSizes.Name(world.Size));
            w.WriteStartArray("entities");
            foreach (var e in world.Entities)
            {
                ms.WriteByte((byte)'\n');
                w.WriteStartObject();
                w.WriteString("id", e.Id);
                w.WriteString("type", e.Type.ToString());
                w.WriteString("name", e.Name);
                w.WriteString("slug", e.Slug);
                w.WriteString("kind", e.Kind);
                w.WriteStartArray("aliases");
                foreach (var a in e.Aliases) w.WriteStringValue(a);
                w.WriteEndArray();
                w.WriteStartArray("facts");
                foreach (var f in e.Facts)
                {
                    w.WriteStartObject();
                    w.WriteString("relation", f.Relation);
                    w.WriteNumber("target", f.Target);
                    w.WriteString("value", f.Value);
                    w.WriteNumber("number", f.Number);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (e.DeepRelation is null) w.WriteNull("deep_relation");
                else w.WriteString("deep_relation", e.DeepRelation);
                w.WriteString("mirror", e.Mirror.ToString());
                w.WriteBoolean("slow", e.Slow);
                if (e.Distractor is { } d)
                {
                    w.WriteStartObject("distractor");
                    w.WriteString("kind", d.Kind.ToString());
                    w.WriteString("relation", d.Relation);
                    w.WriteString("wrong_value", d.WrongValue);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNull("distractor");
                }
                w.WriteEndObject();
                w.Flush();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    /// <summary>Parses world.json; malformed content throws <see cref="InvalidDataException"/> naming <paramref name="sourceName"/>.</summary>
    public static FictionalWorld Deserialize(ReadOnlyMemory<byte> utf8, string sourceName)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            ulong seed = root.GetProperty("seed").GetUInt64();
            var size = WorldSizes.Parse(root.GetProperty("size").GetString()!);
            var entities = new List<Entity>();
            foreach (var el in root.GetProperty("entities").EnumerateArray())
            {
                var aliases = new List<string>();
                foreach (var a in el.GetProperty("aliases").EnumerateArray()) aliases.Add(a.GetString()!);
                var facts = new List<Fact>();
                foreach (var f in el.GetProperty("facts").EnumerateArray())
                {
                    facts.Add(new Fact(f.GetProperty("relation").GetString()!, f.GetProperty("target").GetInt32(), f.GetProperty("value").GetString()!, f.GetProperty("number").GetInt64()));
                }
                var deep = el.GetProperty("deep_relation");
                var dis = el.GetProperty("distractor");
                entities.Add(new Entity
                {
                    Index = entities.Count,
                    Id = el.GetProperty("id").GetString()!,
                    Type = Enum.Parse<EntityType>(el.GetProperty("type").GetString()!),
                    Name = el.GetProperty("name").GetString()!,
                    Slug = el.GetProperty("slug").GetString()!,
                    Kind = el.GetProperty("kind").GetString()!,
                    Aliases = aliases,
                    Facts = facts,
                    DeepRelation = deep.ValueKind == JsonValueKind.Null ? null : deep.GetString(),
                    Mirror = Enum.Parse<MirrorState>(el.GetProperty("mirror").GetString()!),
                    Slow = el.GetProperty("slow").GetBoolean(),
                    Distractor = dis.ValueKind == JsonValueKind.Null
                        ? null
                        : new Distractor(Enum.Parse<DistractorKind>(dis.GetProperty("kind").GetString()!), dis.GetProperty("relation").GetString()!, dis.GetProperty("wrong_value").GetString()!),
                });
            }
            return new FictionalWorld(seed, size, entities);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{sourceName} is not a valid world file ({ex.Message}). Rebuild the world with 'deepresearcher world build'.", ex);
        }
    }
}
