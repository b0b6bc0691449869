using System.Globalization;
using System.Text.Json;
using LvsNet.Hostile;

// The hostile-traffic campaign of issue 13. Every run is bounded: each class stops at its frame
// count or its time limit, and the watcher at its duration. It sends only on the interface it is
// given, which lab/hostile-campaign.sh opens inside the lab's client namespace; spoofed sources are
// martians, 10.78.0.0/16, the lab's own subnet or 198.18.0.0/15: the namespaces have no way out.
try
{
    switch (args.FirstOrDefault())
    {
        case "list":
            foreach (var cls in ClassCatalog.All)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cls.Id,3} {cls.Name,-32} {cls.Kind.ToString().ToLowerInvariant(),-9} {cls.Expected.ToString().ToLowerInvariant(),-13} {cls.Description}"));
            }

            return 0;
        case "pcap":
        {
            // lvsnet-hostile pcap FILE [PER_CLASS]: the first frames of every class, for an independent decoder.
            var perClass = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
            PcapExport.Write(args.Length > 1 ? args[1] : throw new ArgumentException("pcap needs a file name"), perClass, 13);
            return 0;
        }

        case "watch":
        {
            var options = CampaignOptions.Parse(args[1..]);
            var own = CampaignOptions.Mac(File.ReadAllText($"/sys/class/net/{options.Interface}/address").Trim());
            new Watcher(own, options.DirectorMac).Run(options.Interface, options.Out ?? throw new ArgumentException("--out is required"), TimeSpan.FromSeconds(options.Duration));
            return 0;
        }

        case "campaign":
        {
            var options = CampaignOptions.Parse(args[1..]);
            var result = new CampaignRunner(options).Run();
            Console.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            return 0;
        }

        default:
            Console.Error.WriteLine(CampaignOptions.Usage);
            return 2;
    }
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine("lvsnet-hostile: " + ex.Message);
    Console.Error.WriteLine(CampaignOptions.Usage);
    return 2;
}
