using DyCompile.Backends.Gpu.Kernels;

namespace DyCompile.Backends.Gpu.Offline;

/// <summary>Writes, beside a program's pass dumps, the device code of every distinct kernel its
/// segments launch: for a rendered elementwise kernel its C# (<c>name.kernel.Class.cs</c>), and for
/// it and every op-kernel entry point the PTX (<c>.ptx</c>) and OpenCL C (<c>.cl</c>) that ILGPU's
/// backends emit, without a GPU. <c>name.segments.txt</c> lists each distinct segment's kernel files.</summary>
public static class GpuKernelDump
{
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Write(string directory, string name, GpuProgramPlan plan, GpuProgram program)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var emitted = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var index = new System.Text.StringBuilder();
        foreach (var (segment, segmentPlan) in plan.Segments.OrderBy(p => p.Key.Index))
        {
            var files = new List<string>();
            foreach (var kernel in segmentPlan.Kernels)
                files.AddRange(Emit(kernel.ClassName, () =>
                {
                    var method = program.ElementwiseKernels[kernel.ClassName].GetType().GetMethod("Kernel")
                        ?? throw new InvalidOperationException($"generated kernel {kernel.ClassName} has no Kernel entry point");
                    var source = Path.Combine(directory, $"{name}.kernel.{kernel.ClassName}.cs");
                    File.WriteAllText(source, kernel.Source);
                    return [source, .. WriteDevice(directory, $"{name}.kernel.{kernel.ClassName}", new DeviceKernelEntry(method, false, true))];
                }));
            foreach (var type in segmentPlan.AllSteps.OfType<OpKernelStep>().Select(s => s.Kernel).Concat(segmentPlan.AllSteps.OfType<DenseEpilogueStep>().Select(s => s.Kernel)).Distinct())
                foreach (var entry in GpuKernelLibrary.DeviceKernelsOf(type))
                {
                    var file = OfflineKernels.FileName(entry.Method);
                    files.AddRange(Emit(file, () => WriteDevice(directory, $"{name}.kernel.{file}", entry)));
                }
            index.Append(segment.Name).Append(':').Append(files.Count == 0 ? " (no device kernel)" : "").Append('\n');
            foreach (var file in files) index.Append("  ").Append(Path.GetFileName(file)).Append('\n');
        }
        var list = Path.Combine(directory, $"{name}.segments.txt");
        File.WriteAllText(list, index.ToString());
        written.Add(list);
        written.AddRange(emitted.Values.SelectMany(f => f));
        return written;

        IReadOnlyList<string> Emit(string key, Func<IReadOnlyList<string>> write)
        {
            if (!emitted.TryGetValue(key, out var files)) emitted[key] = files = write();
            return files;
        }
    }

    private static IReadOnlyList<string> WriteDevice(string directory, string stem, DeviceKernelEntry entry)
    {
        var ptx = Path.Combine(directory, stem + ".ptx");
        File.WriteAllText(ptx, OfflineKernels.Ptx(entry.Method, entry.ExplicitlyGrouped));
        if (!entry.OpenCL) return [ptx];
        var cl = Path.Combine(directory, stem + ".cl");
        File.WriteAllText(cl, OfflineKernels.OpenCL(entry.Method, entry.ExplicitlyGrouped));
        return [ptx, cl];
    }
}
