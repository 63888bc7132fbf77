using System.Globalization;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Pages;

namespace DeepResearcher.World.Questions;

/// <summary>
/// Derives questions from the world: 1-hop lookups, 2- and 3-hop bridges, comparisons, yes/no checks and deep-page lookups.
/// Splits are assigned by a hash of the answer entity, so no answer entity appears in two splits.
/// </summary>
public sealed class QuestionGenerator
{
    /// <summary>Browsing segment size of the original reader (1024*5*8 characters).</summary>
    public const int SegmentChars = 40_960;

    private readonly FictionalWorld _world;
    private readonly PageRenderer _renderer;

    public QuestionGenerator(PageRenderer renderer)
    {
        _renderer = renderer;
        _world = renderer.Site.World;
    }

    public static QuestionSplit SplitOf(ulong seed, string answerEntity)
    {
        ulong bucket = StableHash.Mix(seed ^ 0x5157_4F52_4C44UL, StableHash.Of(answerEntity)) % 100;
        return bucket < 80 ? QuestionSplit.Train : bucket < 90 ? QuestionSplit.Dev : QuestionSplit.Test;
    }

    /// <summary>All questions in id order, each with its split.</summary>
    public IReadOnlyList<(WorldQuestion Question, QuestionSplit Split)> Generate()
    {
        var rng = Prng.For(_world.Seed, "questions");
        var drafts = new List<WorldQuestion>();
        int n = _world.Entities.Count;

        var twoHop = new List<WorldQuestion>();
        var threeHop = new List<WorldQuestion>();
        var yesNo = new List<WorldQuestion>();
        foreach (var e in _world.Entities)
        {
            foreach (var f in e.Facts)
            {
                if (f.Relation == e.DeepRelation)
                {
                    drafts.Add(Deep(e, f, ref rng));
                    continue;
                }
                drafts.Add(Chain(QuestionType.OneHop, [(e, f)], ref rng));
                if (f.IsEntity)
                {
                    var m = _world[f.Target];
                    foreach (var f2 in m.Facts)
                    {
                        if (!Usable(m, f2) || f2.Target == e.Index) continue;
                        if (rng.Chance(0.35)) twoHop.Add(Chain(QuestionType.TwoHop, [(e, f), (m, f2)], ref rng));
                        if (!f2.IsEntity) continue;
                        var m2 = _world[f2.Target];
                        foreach (var f3 in m2.Facts)
                        {
                            if (!Usable(m2, f3) || f3.Target == e.Index || f3.Target == m.Index) continue;
                            if (rng.Chance(0.12)) threeHop.Add(Chain(QuestionType.ThreeHop, [(e, f), (m, f2), (m2, f3)], ref rng));
                        }
                    }
                    if (RelationCatalog.Get(f.Relation, e.Type).YesNo is not null && rng.Chance(0.3)) yesNo.Add(YesNo(e, f, ref rng));
                }
            }
        }
        Take(drafts, twoHop, n, ref rng);
        Take(drafts, threeHop, n / 2, ref rng);
        Take(drafts, yesNo, n / 4, ref rng);
        drafts.AddRange(Comparisons(n / 4, ref rng));

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<WorldQuestion>(drafts.Count);
        foreach (var q in drafts)
        {
            if (seen.Add(q.Question)) unique.Add(q);
        }
        rng.Shuffle(unique);
        var result = new List<(WorldQuestion, QuestionSplit)>(unique.Count);
        for (int i = 0; i < unique.Count; i++)
        {
            var q = unique[i] with { Id = "world-" + (i + 1).ToString("D6", CultureInfo.InvariantCulture) };
            result.Add((q, SplitOf(_world.Seed, q.AnswerEntity)));
        }
        return result;
    }

    /// <summary>Facts a multi-hop question may end on or pass through: stated early on the canonical page.</summary>
    private static bool Usable(Entity e, Fact f) => f.Relation != e.DeepRelation;

    private static void Take(List<WorldQuestion> into, List<WorldQuestion> pool, int max, ref Prng rng)
    {
        if (pool.Count > max)
        {
            rng.Shuffle(pool);
            pool.RemoveRange(max, pool.Count - max);
        }
        into.AddRange(pool);
    }

    private WorldQuestion Chain(QuestionType type, IReadOnlyList<(Entity Subject, Fact Fact)> chain, ref Prng rng)
    {
        string phrase = chain[0].Subject.Name;
        for (int i = 0; i < chain.Count - 1; i++)
        {
            var spec = RelationCatalog.Get(chain[i].Fact.Relation, chain[i].Subject.Type);
            phrase = rng.Pick(spec.Descriptors).Replace("{s}", phrase, StringComparison.Ordinal);
        }
        var (last, lastFact) = chain[^1];
        var lastSpec = RelationCatalog.Get(lastFact.Relation, last.Type);
        string question = Sentence(MultiHopTemplate(lastSpec, chain.Count, ref rng).Replace("{s}", phrase, StringComparison.Ordinal));
        var steps = new List<QuestionStep>(chain.Count);
        foreach (var (s, f) in chain) steps.Add(Step(s, f, 0));
        return new WorldQuestion
        {
            Id = "",
            Question = question,
            Answers = Answers(lastFact),
            Hops = chain.Count,
            Type = type,
            AnswerEntity = lastFact.IsEntity ? _world[lastFact.Target].Id : last.Id,
            AnswerPage = WorldSite.ArticlePath(last),
            Path = steps,
        };
    }

    private WorldQuestion Deep(Entity e, Fact f, ref Prng rng)
    {
        var spec = RelationCatalog.Get(f.Relation, e.Type);
        string text = HtmlText.Extract(_renderer.Html(_renderer.Site.Article(e.Index)));
        int at = text.IndexOf(f.Value, StringComparison.Ordinal);
        if (at < SegmentChars)
            throw new InvalidOperationException($"Deep fact '{f.Relation}' of {e.Id} appears at character {at}, inside the first segment; the page generator is broken.");
        return new WorldQuestion
        {
            Id = "",
            Question = Sentence(rng.Pick(spec.Questions).Replace("{s}", e.Name, StringComparison.Ordinal)),
            Answers = Answers(f),
            Hops = 1,
            Type = QuestionType.Deep,
            AnswerEntity = e.Id,
            AnswerPage = WorldSite.ArticlePath(e),
            Path = [Step(e, f, at / SegmentChars)],
        };
    }

    private WorldQuestion YesNo(Entity e, Fact f, ref Prng rng)
    {
        var spec = RelationCatalog.Get(f.Relation, e.Type);
        bool yes = rng.Chance(0.5);
        var candidate = _world[f.Target];
        if (!yes)
        {
            for (int attempt = 0; attempt < 100; attempt++)
            {
                var c = _world[rng.Next(_world.Entities.Count)];
                if (c.Type == candidate.Type && c.Index != f.Target && c.Index != e.Index)
                {
                    candidate = c;
                    break;
                }
            }
            yes = candidate.Index == f.Target;
        }
        string question = spec.YesNo!.Replace("{s}", e.Name, StringComparison.Ordinal).Replace("{o}", candidate.Name, StringComparison.Ordinal);
        return new WorldQuestion
        {
            Id = "",
            Question = question,
            Answers = [yes ? "yes" : "no"],
            Hops = 1,
            Type = QuestionType.YesNo,
            AnswerEntity = e.Id,
            AnswerPage = WorldSite.ArticlePath(e),
            Path = [Step(e, f, 0)],
        };
    }

    private List<WorldQuestion> Comparisons(int max, ref Prng rng)
    {
        var result = new List<WorldQuestion>();
        var byKey = new List<(string Relation, EntityType Type, List<Entity> Members)>();
        foreach (var spec in RelationCatalog.All)
        {
            if (spec.Comparisons.Count == 0) continue;
            var members = new List<Entity>();
            foreach (var e in _world.Entities)
            {
                if (e.Type == spec.Subject && e.DeepRelation != spec.Name && e.FindFact(spec.Name) is not null) members.Add(e);
            }
            if (members.Count >= 2) byKey.Add((spec.Name, spec.Subject, members));
        }
        if (byKey.Count == 0) return result;
        for (int attempt = 0; result.Count < max && attempt < max * 4; attempt++)
        {
            var (relation, type, members) = byKey[rng.Next(byKey.Count)];
            var a = members[rng.Next(members.Count)];
            var b = members[rng.Next(members.Count)];
            var fa = a.FindFact(relation)!;
            var fb = b.FindFact(relation)!;
            if (a.Index == b.Index || fa.Number == fb.Number) continue;
            var spec = RelationCatalog.Get(relation, type);
            bool aWins = spec.LargerWins ? fa.Number > fb.Number : fa.Number < fb.Number;
            var winner = aWins ? a : b;
            string question = rng.Pick(spec.Comparisons).Replace("{a}", a.Name, StringComparison.Ordinal).Replace("{b}", b.Name, StringComparison.Ordinal);
            result.Add(new WorldQuestion
            {
                Id = "",
                Question = question,
                Answers = EntityAnswers(winner),
                Hops = 2,
                Type = QuestionType.Comparison,
                AnswerEntity = winner.Id,
                AnswerPage = WorldSite.ArticlePath(winner),
                Path = [Step(a, fa, 0), Step(b, fb, 0)],
            });
        }
        return result;
    }

    private QuestionStep Step(Entity subject, Fact f, int segment)
    {
        var spec = RelationCatalog.Get(f.Relation, subject.Type);
        return new QuestionStep(
            subject.Id,
            subject.Name,
            WorldSite.ArticlePath(subject),
            f.Relation,
            f.Value,
            f.IsEntity ? _world[f.Target].Id : null,
            segment,
            subject.Name + " " + spec.SearchWords);
    }

    private IReadOnlyList<string> Answers(Fact f)
    {
        if (f.IsEntity) return EntityAnswers(_world[f.Target]);
        var answers = new List<string> { f.Value };
        string plain = f.Value.Replace(",", "", StringComparison.Ordinal);
        AddDistinct(answers, plain);
        int space = f.Value.IndexOf(' ', StringComparison.Ordinal);
        if (f.Relation is "length" or "height" && space > 0)
        {
            AddDistinct(answers, f.Value[..space]);
            AddDistinct(answers, plain[..plain.IndexOf(' ', StringComparison.Ordinal)]);
            AddDistinct(answers, f.Value[..space] + (f.Relation == "length" ? " kilometres" : " metres"));
        }
        if (f.Relation == "language") AddDistinct(answers, f.Value + " language");
        return answers;
    }

    private static IReadOnlyList<string> EntityAnswers(Entity e)
    {
        var answers = new List<string> { e.Name };
        foreach (var a in e.Aliases) AddDistinct(answers, a);
        return answers;
    }

    private static void AddDistinct(List<string> list, string item)
    {
        if (!list.Contains(item)) list.Add(item);
    }

    /// <summary>
    /// A question template for the last hop. Through a long description ("the city where X was born") only templates that end on
    /// the description read naturally, so those are preferred, with "What is the [attribute] of …?" forms added.
    /// </summary>
    private static string MultiHopTemplate(RelationSpec spec, int hops, ref Prng rng)
    {
        if (hops == 1) return rng.Pick(spec.Questions);
        var options = new List<string>();
        foreach (var q in spec.Questions)
        {
            if (q.EndsWith("{s}?", StringComparison.Ordinal)) options.Add(q);
        }
        if (spec.Attribute is not null) options.Add("What is the " + spec.Attribute + " of {s}?");
        foreach (var d in spec.Descriptors) options.Add((spec.Object == EntityType.Person ? "Who is " : "What is ") + d + "?");
        return options.Count > 0 ? rng.Pick(options) : rng.Pick(spec.Questions);
    }

    private static string Sentence(string text) => NameForge.Capitalise(text);
}
