package io.github.vgg4j.datavec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A folder of JPEG, PNG or BMP images, decoded on demand with OpenCV (grey, CMYK and alpha images
 * become RGB). Three layouts:
 * <ul>
 *   <li>Kaggle dogs-vs-cats: {@code train/cat.0.jpg}, {@code dog.12.jpg}: the label is the file name
 *       before the first dot;</li>
 *   <li>one subfolder per class ({@code train/cat/x.jpg}): classes sorted by name, as torchvision's
 *       ImageFolder;</li>
 *   <li>unlabelled ({@code test1/1.jpg}): the id is the base name, for prediction.</li>
 * </ul>
 * Zero-byte, non-image and unreadable files are skipped and listed in {@link #skipped()} while the
 * folder is scanned; files that turn out corrupt or truncated when decoded are skipped and reported
 * by the iterator. A test folder is opened in the class order of its training set or model
 * ({@link #open(Path, List)}).
 */
public final class ImageFolder implements ImageDataset {
    static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp");

    /** How labels are found. {@code FILES}: images given one by one (prediction); the id is the path as given. */
    public enum Layout { KAGGLE, CLASS_FOLDERS, UNLABELED, FILES }

    private final Path root;
    private final Layout layout;
    private final List<Path> files;
    private final int[] labels;
    private final List<String> labelNames;
    private final SkippedFiles skipped;

    private ImageFolder(Path root, Layout layout, List<Path> files, int[] labels, List<String> labelNames, SkippedFiles skipped) {
        this.root = root;
        this.layout = layout;
        this.files = List.copyOf(files);
        this.labels = labels;
        this.labelNames = List.copyOf(labelNames);
        this.skipped = skipped;
    }

    /**
     * Opens a training folder, detecting the layout: subfolders with images are classes; otherwise
     * Kaggle names, or unlabelled. A labelled folder needs at least two classes.
     */
    public static ImageFolder open(Path dir) throws IOException {
        return open(dir, true);
    }

    /**
     * Opens a test or validation folder in a given class order (the training set's or a model's):
     * one class is fine, a class the order does not know is an error naming it.
     */
    public static ImageDataset open(Path dir, List<String> labelOrder) throws IOException {
        return ImageDatasets.withLabelOrder(open(dir, false), labelOrder);
    }

    private static ImageFolder open(Path dir, boolean training) throws IOException {
        requireFolder(dir);
        return hasClassFolders(dir) ? classFolders(dir, training) : filesAtTop(dir, null, training);
    }

    public static ImageFolder kaggle(Path dir) throws IOException {
        requireFolder(dir);
        return filesAtTop(dir, Layout.KAGGLE, true);
    }

    public static ImageFolder unlabeled(Path dir) throws IOException {
        requireFolder(dir);
        return filesAtTop(dir, Layout.UNLABELED, false);
    }

    public static ImageFolder classFolders(Path dir) throws IOException {
        return classFolders(dir, true);
    }

    /**
     * Images to predict: files as given, and every image under the folders given (recursively).
     * Unlabelled; a file's id is its path as given (e.g. {@code test1/12.jpg}).
     */
    public static ImageFolder files(List<Path> paths) throws IOException {
        SkippedFiles skipped = new SkippedFiles();
        List<Path> images = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                images.addAll(images(p, true, skipped));
            } else if (!Files.exists(p)) {
                throw new java.nio.file.NoSuchFileException(p.toString());
            } else {
                images.addAll(images(p, skipped));
            }
        }
        if (images.isEmpty()) {
            throw new BadDataException("no images in " + paths + " (looked for " + String.join(", ", EXTENSIONS) + ")"
                    + (skipped.count() > 0 ? "; " + skipped : ""));
        }
        int[] none = new int[images.size()];
        java.util.Arrays.fill(none, -1);
        return new ImageFolder(Path.of(""), Layout.FILES, images, none, List.of(), skipped);
    }

    /** One file given by name: checked like a folder's files (ids are its path as given). */
    private static List<Path> images(Path file, SkippedFiles skipped) {
        if (!FileTypes.isRegular(file)) {
            skipped.add(file.toString(), FileTypes.SPECIAL);
            return List.of();
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (EXTENSIONS.stream().noneMatch(name::endsWith)) {
            skipped.add(file.toString(), "not an image file (expected " + String.join(", ", EXTENSIONS) + ")");
            return List.of();
        }
        String problem = headerProblem(file);
        if (problem != null) {
            skipped.add(file.toString(), problem);
            return List.of();
        }
        return List.of(file);
    }

    private static ImageFolder classFolders(Path dir, boolean training) throws IOException {
        requireFolder(dir);
        SkippedFiles skipped = new SkippedFiles();
        TreeMap<String, List<Path>> classes = new TreeMap<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.sorted().toList()) {
                if (Files.isDirectory(p)) {
                    if (!p.getFileName().toString().startsWith(".")) {
                        classes.put(p.getFileName().toString(), images(p, true, skipped));
                    }
                } else {
                    skipped.add(relative(dir, p), "a file beside the class folders, not in one");
                }
            }
        }
        classes.values().removeIf(List::isEmpty);
        List<String> names = new ArrayList<>(classes.keySet());
        checkClasses(dir, names, classes.values().stream().mapToInt(List::size).sum(), skipped, training);
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int c = 0;
        for (List<Path> list : classes.values()) {
            for (Path f : list) {
                files.add(f);
                labels.add(c);
            }
            c++;
        }
        return new ImageFolder(dir, Layout.CLASS_FOLDERS, files, labels.stream().mapToInt(Integer::intValue).toArray(), names, skipped);
    }

    private static ImageFolder filesAtTop(Path dir, Layout forced, boolean training) throws IOException {
        SkippedFiles skipped = new SkippedFiles();
        List<Path> images = images(dir, false, skipped);
        List<Path> labelled = new ArrayList<>();
        List<Path> numeric = new ArrayList<>();
        for (Path f : images) {
            (kaggleLabel(f).chars().allMatch(Character::isDigit) ? numeric : labelled).add(f);
        }
        Layout layout = forced != null ? forced : labelled.isEmpty() && !numeric.isEmpty() ? Layout.UNLABELED : Layout.KAGGLE;
        if (layout == Layout.UNLABELED) {
            if (images.isEmpty()) {
                throw noImages(dir, skipped);
            }
            int[] none = new int[images.size()];
            java.util.Arrays.fill(none, -1);
            return new ImageFolder(dir, layout, images, none, List.of(), skipped);
        }
        if (!numeric.isEmpty() && !labelled.isEmpty()) {
            throw new BadDataException(dir + " mixes labelled files (" + labelled.get(0).getFileName() + ") and unlabelled ones ("
                    + numeric.get(0).getFileName() + "): put the unlabelled files (Kaggle's test1/) in a folder of their own");
        }
        TreeSet<String> names = new TreeSet<>();
        for (Path f : labelled) {
            names.add(kaggleLabel(f));
        }
        List<String> order = new ArrayList<>(names);
        checkClasses(dir, order, labelled.size(), skipped, training);
        int[] labels = new int[labelled.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = order.indexOf(kaggleLabel(labelled.get(i)));
        }
        return new ImageFolder(dir, Layout.KAGGLE, labelled, labels, order, skipped);
    }

    public Layout layout() {
        return layout;
    }

    public Path root() {
        return root;
    }

    /** Files left out while scanning the folder (the iterator adds those that fail to decode). */
    public SkippedFiles skipped() {
        return skipped;
    }

    @Override
    public List<SkippedFiles.Entry> skippedWhileListing() {
        return skipped.entries();
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public List<String> labels() {
        return labelNames;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    /** The path relative to the folder; for the unlabelled layout the base name (Kaggle's id). */
    @Override
    public String id(int i) {
        if (layout == Layout.FILES) {
            return files.get(i).toString();
        }
        if (layout == Layout.UNLABELED) {
            String name = files.get(i).getFileName().toString();
            return name.substring(0, name.lastIndexOf('.'));
        }
        return relative(root, files.get(i));
    }

    public Path file(int i) {
        return files.get(i);
    }

    @Override
    public boolean fitsWhileReading() {
        return true;
    }

    @Override
    public RawImage read(int i, Fit fit, SplittableRandom random) throws BadImageException {
        Path file = files.get(i);
        String id = layout == Layout.FILES ? file.toString() : relative(root, file);
        byte[] bytes;
        try {
            // the type and size again: the file may have changed since the folder was listed
            if (!FileTypes.isRegular(file)) {
                throw new BadImageException(id, FileTypes.SPECIAL);
            }
            long size = Files.size(file);
            if (!DataLimits.IMAGE_BYTES.allows(size)) {
                throw new BadImageException(id, String.format(java.util.Locale.ROOT, "%,d bytes; ", size) + DataLimits.IMAGE_BYTES.describe());
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadImageException(id, "cannot be read (" + e.getMessage() + ")");
        } catch (OutOfMemoryError e) {
            // one image too large for the heap left: that image is skipped, the epoch goes on
            throw new BadImageException(id, "not enough Java heap to read it (" + e.getMessage() + "; raise -Xmx)");
        }
        String problem = ImageFormats.problem(bytes);
        if (problem != null) {
            throw new BadImageException(id, problem);
        }
        RawImage img;
        try {
            img = OpenCvImages.decode(bytes, fit, random);
        } catch (OpenCvImages.TooLargeException e) {
            throw new BadImageException(id, e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new BadImageException(id, "not enough memory to decode it (" + e.getMessage() + ")");
        }
        if (img == null) {
            throw new BadImageException(id, "corrupt: the image data cannot be decoded");
        }
        return img;
    }

    @Override
    public String source() {
        return root.toString();
    }

    static String kaggleLabel(Path file) {
        String name = file.getFileName().toString();
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private static List<Path> images(Path dir, boolean recursive, SkippedFiles skipped) throws IOException {
        List<Path> images = new ArrayList<>();
        try (Stream<Path> walk = recursive ? Files.walk(dir) : Files.list(dir)) {
            for (Path p : walk.filter(f -> !Files.isDirectory(f)).sorted().toList()) {
                String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                String id = relative(dir.getParent() != null && recursive ? dir.getParent() : dir, p);
                if (!FileTypes.isRegular(p)) {
                    if (Files.exists(p)) {
                        skipped.add(id, FileTypes.SPECIAL); // FIFOs, devices; not a dangling link
                    }
                    continue;
                }
                if (EXTENSIONS.stream().noneMatch(name::endsWith)) {
                    skipped.add(id, "not an image file (expected " + String.join(", ", EXTENSIONS) + ")");
                    continue;
                }
                String problem = headerProblem(p);
                if (problem != null) {
                    skipped.add(id, problem);
                    continue;
                }
                images.add(p);
            }
        }
        return images;
    }

    private static String headerProblem(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(16);
            if (head.length == 0) {
                return "empty (zero-byte) file";
            }
            return ImageFormats.headerProblem(head);
        } catch (IOException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
    }

    private static boolean hasClassFolders(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."));
        }
    }

    private static void checkClasses(Path dir, List<String> names, int images, SkippedFiles skipped, boolean training)
            throws BadDataException {
        if (images == 0) {
            throw noImages(dir, skipped);
        }
        if (training && names.size() < 2) {
            throw new BadDataException(dir + " has only one class ('" + names.get(0) + "', " + images
                    + " images): a classifier needs at least 2 classes");
        }
    }

    private static BadDataException noImages(Path dir, SkippedFiles skipped) {
        return new BadDataException(dir + " has no images (looked for " + String.join(", ", EXTENSIONS) + ")"
                + (skipped.count() > 0 ? "; " + skipped : ""));
    }

    private static void requireFolder(Path dir) throws BadDataException {
        if (!Files.isDirectory(dir)) {
            throw new BadDataException(dir + " is not a folder");
        }
    }

    static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }
}
