using System.Reflection;
using System.Runtime.Loader;

namespace DyCompile.Compiler.Jit;

/// <summary>The loaded assembly of one Roslyn build, in a collectible
/// <see cref="AssemblyLoadContext"/> of its own, shared by the programs compiled together. The
/// context is unloaded when the last of them is disposed, or when they are all unreachable (this
/// object's finalizer); the runtime frees the code once no object of its types is left.</summary>
internal sealed class GeneratedCode
{
    private readonly AssemblyLoadContext _context;
    private int _users;

    public GeneratedCode(string name, Func<AssemblyLoadContext, Assembly> load)
    {
        _context = new AssemblyLoadContext(name, isCollectible: true);
        Assembly = load(_context);
    }

    public Assembly Assembly { get; }

    public void AddUser() => Interlocked.Increment(ref _users);

    /// <summary>One user is done; the last one unloads the context.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _users) == 0) Unload();
    }

    private int _unloaded;

    private void Unload()
    {
        if (Interlocked.Exchange(ref _unloaded, 1) == 0)
        {
            _context.Unload();
            GC.SuppressFinalize(this);
        }
    }

    ~GeneratedCode() => Unload();
}
