// bench/compare/FopBatch.java: render one FO file N times in one JVM with one
// FopFactory (fonts parsed once), the way a server would; prints seconds per
// document for the last N (after 5 warm-up documents).  Run in source mode:
//   java -cp "$(fop classpath)" FopBatch.java fop.xconf basic.fo out.pdf N
import java.io.*;
import javax.xml.transform.*;
import javax.xml.transform.sax.SAXResult;
import javax.xml.transform.stream.StreamSource;
import org.apache.fop.apps.*;

public class FopBatch {
    public static void main(String[] a) throws Exception {
        FopFactory ff = FopFactory.newInstance(new File(a[0]).getAbsoluteFile());
        TransformerFactory tf = TransformerFactory.newInstance();
        int n = Integer.parseInt(a[3]);
        long t0 = 0;
        for (int i = -5; i < n; i++) {
            if (i == 0) t0 = System.nanoTime();
            try (OutputStream out = new BufferedOutputStream(new FileOutputStream(a[2]))) {
                Fop fop = ff.newFop(MimeConstants.MIME_PDF, ff.newFOUserAgent(), out);
                tf.newTransformer().transform(new StreamSource(new File(a[1])),
                                              new SAXResult(fop.getDefaultHandler()));
            }
        }
        System.out.printf("%.4f%n", (System.nanoTime() - t0) / 1e9 / n);
    }
}
