using System.Globalization;

namespace DeepResearcher.World.Generation;

/// <summary>Builds a <see cref="World"/> from a seed. Pure and deterministic: the same seed, size and shares give the same world.</summary>
public static class WorldGenerator
{
    private static readonly (EntityType Type, double Weight)[] Mix =
    [
        (EntityType.Country, 0.03), (EntityType.City, 0.18), (EntityType.Person, 0.40), (EntityType.Organisation, 0.15),
        (EntityType.Work, 0.10), (EntityType.River, 0.05), (EntityType.Mountain, 0.05), (EntityType.Event, 0.04),
    ];

    private static readonly string[] CountrySuffixes = ["ia", "and", "ar", "ora", "eth", "ovia", "ania", "esh"];
    private static readonly string[] CityEndings = ["", "", "", "", "holm", "ton", "via", "mar", "dun", "grad", "wick", "ora"];
    private static readonly string[] CurrencyUnits = ["dram", "crown", "mark", "florin", "real", "dinar", "lira", "thaler", "shilling", "kuna", "ducat", "rand"];
    private static readonly string[] CityKinds = ["market town", "port city", "river city", "mountain town", "trading city", "university town", "garrison town"];

    private static readonly string[] Occupations =
        ["painter", "sculptor", "chemist", "mathematician", "merchant", "poet", "physician", "cartographer", "composer", "banker", "novelist", "botanist", "shipwright", "jurist", "philosopher", "surveyor"];

    private static readonly string[] OrgKinds =
        ["Company", "Institute", "University", "Society", "Bank", "Works", "Press", "Foundation", "Guild", "Railway", "Observatory", "Academy", "Shipyard", "Brewery"];

    private static readonly string[] ArtKinds = ["novel", "symphony", "painting", "opera", "poem cycle", "treatise", "play"];
    private static readonly string[] ArtNouns =
        ["Lantern", "Garden", "Harbour", "Winter", "Crown", "Mirror", "Tower", "Orchard", "Bell", "Silence", "Voyage", "Letters", "Song", "Masque", "Feast", "Compass"];

    private static readonly string[] InventionKinds = ["loom", "engine", "telegraph", "lens", "pump", "furnace", "clock", "lamp", "kiln", "valve", "turbine", "sextant"];
    private static readonly string[] EventKinds = ["Accord", "Congress", "Exhibition", "Games", "Festival", "Conference", "Summit", "Fair", "Convention"];

    public static FictionalWorld Generate(ulong seed, WorldSize size, WorldShares? shares = null)
    {
        shares ??= new WorldShares();
        shares.Validate();
        int total = WorldSizes.EntityCount(size);
        var counts = new int[Mix.Length];
        int assigned = 0;
        for (int i = 0; i < Mix.Length; i++)
        {
            counts[i] = Math.Max(i == 0 ? 4 : 6, (int)Math.Round(total * Mix[i].Weight));
            assigned += counts[i];
        }
        counts[2] += total - assigned; // people absorb rounding so the total is exact

        var forge = new NameForge();
        var drafts = new List<Draft>(total);
        var rng = Prng.For(seed, "world");

        int[] countries = MakeCountries(drafts, forge, ref rng, counts[0]);
        int[] cities = MakeCities(drafts, forge, ref rng, counts[1], countries);
        int[] people = MakePeople(drafts, forge, ref rng, counts[2], cities);
        int[] orgs = MakeOrganisations(drafts, forge, ref rng, counts[3], people, cities);
        MakeWorks(drafts, forge, ref rng, counts[4], people);
        MakeRivers(drafts, forge, ref rng, counts[5], countries);
        MakeMountains(drafts, forge, ref rng, counts[6], countries, people);
        MakeEvents(drafts, forge, ref rng, counts[7], cities, orgs);

        var traitRng = Prng.For(seed, "traits");
        var entities = new List<Entity>(drafts.Count);
        for (int i = 0; i < drafts.Count; i++)
        {
            entities.Add(Finish(drafts, i, shares, ref traitRng));
        }
        return new FictionalWorld(seed, size, entities);
    }

    public static string FormatCount(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string FormatYear(long year) => year.ToString(CultureInfo.InvariantCulture);

    private static int Add(List<Draft> drafts, EntityType type, string name, string kind)
    {
        drafts.Add(new Draft { Type = type, Name = name, Kind = kind });
        return drafts.Count - 1;
    }

    private static void AddAlias(Draft d, NameForge forge, string? alias)
    {
        if (alias is not null && alias != d.Name && forge.TryClaim(alias)) d.Aliases.Add(alias);
    }

    private static void Literal(Draft d, string relation, string value, long number) => d.Facts.Add(new Fact(relation, -1, value, number));

    private static void Link(List<Draft> drafts, int subject, string relation, int target) =>
        drafts[subject].Facts.Add(new Fact(relation, target, drafts[target].Name, 0));

    private static int[] MakeCountries(List<Draft> drafts, NameForge forge, ref Prng rng, int n)
    {
        var ids = new int[n];
        for (int i = 0; i < n; i++)
        {
            string stem, name, demonym;
            while (true)
            {
                stem = NameForge.Word(ref rng, 2, 2);
                name = stem + CountrySuffixes[rng.Next(CountrySuffixes.Length)];
                demonym = stem + (stem.EndsWith('a') || stem.EndsWith('e') || stem.EndsWith('o') || stem.EndsWith('y') ? "nian" : "ian");
                if (!forge.IsTaken(name) && !forge.IsTaken(demonym) && !forge.IsTaken(stem))
                {
                    forge.Claim(name);
                    forge.Claim(demonym);
                    forge.Claim(stem);
                    break;
                }
            }
            int id = Add(drafts, EntityType.Country, name, rng.Chance(0.5) ? "republic" : "kingdom");
            var d = drafts[id];
            d.Demonym = demonym;
            AddAlias(d, forge, (d.Kind == "republic" ? "Republic of " : "Kingdom of ") + name);
            AddAlias(d, forge, NameForge.Transliterate(name));
            ids[i] = id;
        }
        return ids;
    }

    private static int[] MakeCities(List<Draft> drafts, NameForge forge, ref Prng rng, int n, int[] countries)
    {
        var ids = new int[n];
        var byCountry = new List<int>[countries.Length];
        for (int c = 0; c < countries.Length; c++) byCountry[c] = [];
        for (int i = 0; i < n; i++)
        {
            string ending = CityEndings[rng.Next(CityEndings.Length)];
            string name = forge.Unique(ref rng, w => w + ending, 2, 3);
            int id = Add(drafts, EntityType.City, name, CityKinds[rng.Next(CityKinds.Length)]);
            AddAlias(drafts[id], forge, NameForge.Transliterate(name));
            int country = i < countries.Length ? i : rng.Next(countries.Length);
            byCountry[country].Add(id);
            drafts[id].Country = countries[country];
            // Roughly log-uniform with integer arithmetic only: Math.Exp/Log may differ in the last bit between platforms,
            // which would break byte-identical worlds.
            long population = rng.Next(3) switch
            {
                0 => rng.Next(5_000, 50_000),
                1 => rng.Next(50_000, 500_000),
                _ => rng.Next(500_000, 2_500_000),
            };
            drafts[id].Population = population;
            drafts[id].Year = rng.Next(800, 1900);
            ids[i] = id;
        }
        for (int c = 0; c < countries.Length; c++)
        {
            var country = drafts[countries[c]];
            int capital = byCountry[c][0];
            long sum = 0;
            foreach (int city in byCountry[c])
            {
                if (drafts[city].Population > drafts[capital].Population) capital = city;
                sum += drafts[city].Population;
            }
            country.Capital = capital;
            country.Population = sum * rng.Next(15, 40) / 10 + rng.Next(1000);
            country.Year = rng.Next(1450, 1960);
        }
        foreach (int id in ids)
        {
            var d = drafts[id];
            Link(drafts, id, "located_in", d.Country);
            Literal(d, "population", FormatCount(d.Population), d.Population);
            Literal(d, "year_founded", FormatYear(d.Year), d.Year);
        }
        foreach (int id in countries)
        {
            var d = drafts[id];
            Link(drafts, id, "capital", d.Capital);
            Literal(d, "population", FormatCount(d.Population), d.Population);
            string currency = d.Demonym + " " + CurrencyUnits[rng.Next(CurrencyUnits.Length)];
            Literal(d, "currency", currency, 0);
            Literal(d, "language", d.Demonym!, 0);
            Literal(d, "year_founded", FormatYear(d.Year), d.Year);
        }
        return ids;
    }

    private static int[] MakePeople(List<Draft> drafts, NameForge forge, ref Prng rng, int n, int[] cities)
    {
        int surnameCount = Math.Max(3, (int)(n * 0.55));
        var surnames = new string[surnameCount];
        for (int i = 0; i < surnameCount; i++) surnames[i] = NameForge.Word(ref rng, 1, 3);
        var ids = new int[n];
        for (int i = 0; i < n; i++)
        {
            string surname = surnames[rng.Next(surnameCount)];
            string given, name;
            do
            {
                given = NameForge.Word(ref rng, 2, 3);
                name = given + " " + surname;
            }
            while (!forge.TryClaim(name));
            int id = Add(drafts, EntityType.Person, name, Occupations[rng.Next(Occupations.Length)]);
            var d = drafts[id];
            d.Year = rng.Next(1700, 1986);
            AddAlias(d, forge, given[0] + ". " + surname);
            AddAlias(d, forge, NameForge.Transliterate(given) is { } g ? g + " " + surname : null);
            ids[i] = id;
        }
        foreach (int id in ids)
        {
            var d = drafts[id];
            Link(drafts, id, "born_in", cities[rng.Next(cities.Length)]);
            Literal(d, "year_of_birth", FormatYear(d.Year), d.Year);
            Literal(d, "occupation", d.Kind, 0);
        }
        var shuffled = (int[])ids.Clone();
        rng.Shuffle(shuffled);
        int married = (int)(n * 0.3) / 2 * 2;
        for (int i = 0; i + 1 < married; i += 2)
        {
            Link(drafts, shuffled[i], "spouse", shuffled[i + 1]);
            Link(drafts, shuffled[i + 1], "spouse", shuffled[i]);
        }
        return ids;
    }

    private static int[] MakeOrganisations(List<Draft> drafts, NameForge forge, ref Prng rng, int n, int[] people, int[] cities)
    {
        var ids = new int[n];
        for (int i = 0; i < n; i++)
        {
            string kind = OrgKinds[rng.Next(OrgKinds.Length)];
            string name = forge.Unique(ref rng, w => w + " " + kind, 2, 3);
            int id = Add(drafts, EntityType.Organisation, name, kind.ToLowerInvariant());
            var d = drafts[id];
            string first = name[..name.IndexOf(' ', StringComparison.Ordinal)];
            AddAlias(d, forge, NameForge.Transliterate(first) is { } t ? t + " " + kind : null);
            int founder = people[rng.Next(people.Length)];
            d.Year = (int)Math.Min(2020, drafts[founder].Year + rng.Next(22, 60));
            Link(drafts, id, "founded_by", founder);
            Link(drafts, id, "headquartered_in", cities[rng.Next(cities.Length)]);
            Literal(d, "year_founded", FormatYear(d.Year), d.Year);
            ids[i] = id;
        }
        return ids;
    }

    private static void MakeWorks(List<Draft> drafts, NameForge forge, ref Prng rng, int n, int[] people)
    {
        for (int i = 0; i < n; i++)
        {
            bool invention = rng.Chance(0.4);
            int id;
            if (invention)
            {
                string kind = InventionKinds[rng.Next(InventionKinds.Length)];
                string name = forge.Unique(ref rng, w => w + " " + NameForge.Capitalise(kind), 2, 2);
                id = Add(drafts, EntityType.Work, name, kind);
                string first = name[..name.IndexOf(' ', StringComparison.Ordinal)];
                AddAlias(drafts[id], forge, NameForge.Transliterate(first) is { } t ? t + " " + NameForge.Capitalise(kind) : null);
            }
            else
            {
                string noun = ArtNouns[rng.Next(ArtNouns.Length)];
                string name = forge.Unique(ref rng, w => "The " + noun + " of " + w, 2, 3);
                id = Add(drafts, EntityType.Work, name, ArtKinds[rng.Next(ArtKinds.Length)]);
                AddAlias(drafts[id], forge, name[4..]);
            }
            var d = drafts[id];
            int creator = people[rng.Next(people.Length)];
            d.Year = (int)Math.Min(2022, drafts[creator].Year + rng.Next(20, 65));
            Link(drafts, id, invention ? "invented_by" : "created_by", creator);
            Literal(d, "year_created", FormatYear(d.Year), d.Year);
        }
    }

    private static void MakeRivers(List<Draft> drafts, NameForge forge, ref Prng rng, int n, int[] countries)
    {
        for (int i = 0; i < n; i++)
        {
            string word = "";
            string name = forge.Unique(ref rng, w => { word = w; return w + " River"; }, 2, 3);
            int id = Add(drafts, EntityType.River, name, "river");
            AddAlias(drafts[id], forge, "River " + word);
            Link(drafts, id, "flows_through", countries[rng.Next(countries.Length)]);
            int km = rng.Next(40, 3800);
            Literal(drafts[id], "length", FormatCount(km) + " km", km);
        }
    }

    private static void MakeMountains(List<Draft> drafts, NameForge forge, ref Prng rng, int n, int[] countries, int[] people)
    {
        for (int i = 0; i < n; i++)
        {
            string word = "";
            string name = forge.Unique(ref rng, w => { word = w; return "Mount " + w; }, 2, 3);
            int id = Add(drafts, EntityType.Mountain, name, "mountain");
            AddAlias(drafts[id], forge, word + " Peak");
            Link(drafts, id, "located_in", countries[rng.Next(countries.Length)]);
            int m = rng.Next(600, 8600);
            Literal(drafts[id], "height", FormatCount(m) + " m", m);
            Link(drafts, id, "first_climbed_by", people[rng.Next(people.Length)]);
        }
    }

    private static void MakeEvents(List<Draft> drafts, NameForge forge, ref Prng rng, int n, int[] cities, int[] orgs)
    {
        for (int i = 0; i < n; i++)
        {
            string kind = EventKinds[rng.Next(EventKinds.Length)];
            string word = "";
            string name = forge.Unique(ref rng, w => { word = w; return w + " " + kind; }, 2, 3);
            int id = Add(drafts, EntityType.Event, name, kind.ToLowerInvariant());
            AddAlias(drafts[id], forge, kind + " of " + word);
            int year = rng.Next(1750, 2021);
            int organiser = orgs[rng.Next(orgs.Length)];
            for (int attempt = 0; attempt < 20 && drafts[organiser].Year > year; attempt++) organiser = orgs[rng.Next(orgs.Length)];
            Link(drafts, id, "held_in", cities[rng.Next(cities.Length)]);
            Literal(drafts[id], "year_held", FormatYear(year), year);
            Link(drafts, id, "organised_by", organiser);
        }
    }

    private static Entity Finish(List<Draft> drafts, int index, WorldShares shares, ref Prng rng)
    {
        var d = drafts[index];
        string? deep = null;
        if (rng.Chance(shares.LongPage))
        {
            var candidates = new List<string>();
            foreach (var f in d.Facts)
            {
                if (!f.IsEntity && RelationCatalog.Get(f.Relation, d.Type).CanBeDeep) candidates.Add(f.Relation);
            }
            if (candidates.Count > 0) deep = rng.Pick(candidates);
        }
        var mirror = MirrorState.None;
        if (rng.Chance(shares.Mirror))
        {
            double r = rng.NextDouble();
            mirror = r < shares.MirrorGone ? MirrorState.Gone : r < shares.MirrorGone + shares.MirrorServerError ? MirrorState.ServerError : MirrorState.Ok;
        }
        bool slow = rng.Chance(shares.SlowPage);
        Distractor? distractor = null;
        if (rng.Chance(shares.Distractor)) distractor = MakeDistractor(drafts, d, ref rng);
        return new Entity
        {
            Index = index,
            Id = "E" + index.ToString("D6", CultureInfo.InvariantCulture),
            Type = d.Type,
            Name = d.Name,
            Slug = SlugOf(d.Name),
            Aliases = d.Aliases,
            Kind = d.Kind,
            Facts = d.Facts,
            DeepRelation = deep,
            Mirror = mirror,
            Slow = slow,
            Distractor = distractor,
        };
    }

    private static Distractor? MakeDistractor(List<Draft> drafts, Draft d, ref Prng rng)
    {
        var literals = new List<Fact>();
        foreach (var f in d.Facts)
        {
            if (!f.IsEntity) literals.Add(f);
        }
        if (literals.Count == 0) return null;
        var fact = rng.Pick(literals);
        var kind = rng.Chance(0.5) ? DistractorKind.FanWiki : DistractorKind.ForumPost;
        string wrong;
        switch (fact.Relation)
        {
            case "year_of_birth" or "year_founded" or "year_created" or "year_held":
                wrong = FormatYear(fact.Number + (rng.Chance(0.5) ? 1 : -1) * rng.Next(1, 30));
                break;
            case "population":
                wrong = FormatCount(fact.Number * rng.Next(55, 92) / 100);
                break;
            case "length":
                wrong = FormatCount(Math.Max(10, fact.Number + (rng.Chance(0.5) ? 1 : -1) * rng.Next(15, 400))) + " km";
                break;
            case "height":
                wrong = FormatCount(Math.Max(300, fact.Number + (rng.Chance(0.5) ? 1 : -1) * rng.Next(40, 900))) + " m";
                break;
            default:
                // A value some other entity of the same type really has: the kind of mix-up a careless fan page makes.
                wrong = fact.Value;
                for (int attempt = 0; attempt < 50 && wrong == fact.Value; attempt++)
                {
                    var other = drafts[rng.Next(drafts.Count)];
                    if (other.Type != d.Type) continue;
                    foreach (var f in other.Facts)
                    {
                        if (f.Relation == fact.Relation) wrong = f.Value;
                    }
                }
                if (wrong == fact.Value) return null;
                break;
        }
        return new Distractor(kind, fact.Relation, wrong);
    }

    public static string SlugOf(string name) => name.Replace(' ', '_');

    private sealed class Draft
    {
        public required EntityType Type { get; init; }
        public required string Name { get; init; }
        public required string Kind { get; init; }
        public List<string> Aliases { get; } = [];
        public List<Fact> Facts { get; } = [];
        public long Year { get; set; }
        public long Population { get; set; }
        public int Country { get; set; }
        public int Capital { get; set; }
        public string? Demonym { get; set; }
    }
}
