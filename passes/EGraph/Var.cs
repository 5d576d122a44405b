namespace DyCompile.Passes.EGraph;

/// <summary>A pattern variable, written <c>?name</c>; <see cref="Name"/> includes the <c>?</c>.</summary>
public readonly record struct Var
{
    public Var(string name)
    {
        if (name is null || name.Length < 2 || name[0] != '?')
        {
            throw new ArgumentException($"a variable is written '?name', not '{name}'", nameof(name));
        }
        Name = name;
    }

    public string Name { get; }

    public override string ToString() => Name;
}
