#!/usr/bin/perl
# deps_mmdb.pl - writes the ranges of a delegated-extended file as an IPv4
# .mmdb (country.iso_code per range) with MaxMind's own writer
# (Debian's libmaxmind-db-writer-perl), so bench/deps_lpm.c can time
# libmaxminddb and weerbaar's look-up on the same ranges and addresses.
#   deps_mmdb.pl IN.txt OUT.mmdb
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($in, $out) = @ARGV;
die "usage: deps_mmdb.pl IN OUT\n" unless $out;
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => 4,
    record_size           => 24,
    database_type         => 'weerbaar-bench-country',
    languages             => ['en'],
    description           => { en => 'synthetic ranges for bench/deps_lpm.c' },
    map_key_type_callback => sub { { country => 'map', iso_code => 'utf8_string' }->{ $_[0] } },
);
open my $fh, '<', $in or die "$in: $!\n";
while (<$fh>) {
    my @f = split /\|/;
    next unless @f >= 7 && $f[2] eq 'ipv4' && $f[1] ne '*';
    my @o = split /\./, $f[3];
    my $lo = (($o[0] * 256 + $o[1]) * 256 + $o[2]) * 256 + $o[3];
    my $hi = $lo + $f[4] - 1;
    my $ip = sub { join '.', map { ($_[0] >> (8 * $_)) & 255 } reverse 0 .. 3 };
    $tree->insert_range($ip->($lo), $ip->($hi), { country => { iso_code => $f[1] } });
}
open my $o, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($o);
