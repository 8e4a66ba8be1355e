Console.WriteLine("kamune-node");
