using DyCompile.DeviceCheck;

// The device check: `DeviceCheck export DIR` writes the zoo's weights, inputs and eager outputs for
// torch_zoo.py; `DeviceCheck check [--torch FILE] [--out FILE]` runs the zoo compiled for the device
// against eager, the bandwidth and SGEMM measurements, and prints the markdown table.
var command = args.Length > 0 ? args[0] : "check";
string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

try
{
    switch (command)
    {
        case "export":
        {
            var directory = args.Length > 1 ? args[1] : "device-check";
            ZooCheck.Export(ZooCase.Device, directory);
            Console.WriteLine($"wrote the zoo's weights, inputs and eager outputs to {directory}");
            return 0;
        }
        case "check":
        {
            using var devices = Devices.Open();
            Console.WriteLine($"devices found: {(devices.Found.Length == 0 ? "none" : devices.Found)}");
            if (!devices.IsCuda)
                Console.WriteLine("no CUDA device found: running the CPU-side parts on ILGPU's CPU accelerator (target ilgpu-cpu), at reduced sizes");
            var cases = devices.IsCuda ? ZooCase.Device : ZooCase.Emulated;
            var only = Option("--model");
            var zoo = new List<ZooResult>();
            foreach (var c in cases.Where(c => only is null || c.Key == only))
            {
                Console.Error.WriteLine($"zoo: {c.Name}");
                var result = ZooCheck.Run(c, devices.Target, measure: true);
                Console.Error.WriteLine($"  {(result.Equivalent ? "≡ eager" : "NOT ≡ eager")} {result.Failure}");
                zoo.Add(result);
            }
            Console.Error.WriteLine("bandwidth and SGEMM");
            var bandwidth = Bandwidth.Measure(devices.Accelerator, devices.IsCuda ? 64 << 20 : 1 << 16);
            var n = devices.IsCuda ? 4096 : 128;
            var (tiled, cublas) = Sgemm.Measure(devices.Accelerator, n);
            var markdown = Report.Markdown(devices, zoo, bandwidth, (n, tiled, cublas), TorchResults.Load(Option("--torch")));
            Console.WriteLine(markdown);
            if (Option("--out") is { } path) File.WriteAllText(path, markdown);
            return zoo.All(r => r.Equivalent) ? 0 : 1;
        }
        default:
            Console.Error.WriteLine($"unknown command '{command}': use `export DIR` or `check [--torch FILE] [--out FILE] [--model KEY]`");
            return 2;
    }
}
catch (Exception e)
{
    Console.Error.WriteLine($"device check failed: {e}");
    return 3;
}
